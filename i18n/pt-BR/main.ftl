# Switchboard SPA — Português (Brasil).

app-name = Switchboard
loading = Carregando…
skip-to-content = Pular para o conteúdo

## Idiomas (cada um no próprio idioma)
language-label = Idioma
language-en = English
language-es = Español
language-pt-BR = Português (Brasil)

## Barra lateral
nav-main = Navegação principal
nav-account = Conta
nav-conversations = Conversas
nav-settings = Configurações
nav-inboxes = Caixas de entrada
nav-super-admin = Superadministração
nav-sign-out = Sair
sidebar-inboxes-heading = Caixas de entrada
sidebar-no-inboxes = Nenhuma caixa de entrada ainda

## Login
login-title = Entrar no Switchboard
login-subtitle = Use o e-mail e a senha da sua conta de agente.
login-email = E-mail
login-email-placeholder = voce@exemplo.com
login-password = Senha
login-password-placeholder = Sua senha
login-submit = Entrar
login-submitting = Entrando…
login-no-account = Você entrou, mas ainda não faz parte de nenhuma conta. Peça a um administrador para adicionar você.

## Lista de caixas de entrada
inboxes-title = Caixas de entrada
inboxes-description = Os canais pelos quais seus clientes entram em contato. Cada caixa encaminha as mensagens para os agentes atribuídos a ela.
inboxes-add = Adicionar caixa de entrada
inboxes-empty = Esta conta ainda não tem caixas de entrada. Adicione uma para começar a receber mensagens.
inboxes-loading = Carregando caixas de entrada…
inboxes-settings = Configurações
inboxes-settings-for = Configurações de { $name }
inboxes-reauthorize = Precisa ser reconectada
retry = Tentar novamente

## Conversas
conversations-title = Conversas
conversations-empty = Nenhuma conversa ainda
conversations-empty-hint = Quando os clientes escreverem para uma das suas caixas de entrada, as conversas aparecerão aqui.
conversations-go-to-inboxes = Gerenciar caixas de entrada

## Nova caixa de entrada (seletor de canal)
new-inbox-title = Adicionar caixa de entrada
new-inbox-description = Escolha o canal que seus clientes usarão para falar com você.
new-inbox-step-channel = Escolher canal
new-inbox-step-configure = Configurar
new-inbox-step-agents = Adicionar agentes
new-inbox-step-done = Concluído
new-inbox-steps = Progresso
new-inbox-coming-soon = Em breve
new-inbox-back = Voltar para as caixas de entrada

## Configurações da caixa de entrada
inbox-settings-title = Configurações da caixa de entrada
inbox-settings-description = O nome, o canal e a identidade desta caixa de entrada.
inbox-settings-name = Nome da caixa de entrada
inbox-settings-name-placeholder = ex.: Linha de suporte
inbox-settings-name-help = Exibido aos agentes na barra lateral e na lista de conversas.
inbox-settings-name-required = Digite um nome.
inbox-settings-type = Canal
inbox-settings-id = ID da caixa de entrada
inbox-settings-phone = Número de telefone
inbox-settings-username = Nome de usuário
inbox-settings-save = Salvar alterações
inbox-settings-saving = Salvando…
inbox-settings-saved = Caixa de entrada atualizada.
inbox-settings-reauthorize = Esta caixa de entrada perdeu o acesso ao canal. Reconecte-a para continuar recebendo mensagens.

## Superadministração
super-admin-title = Configuração do aplicativo
super-admin-description = Configurações de toda a instalação, como as credenciais do aplicativo do Instagram.
super-admin-placeholder = Os formulários de configuração aparecerão aqui.

## Não encontrado
not-found-title = Página não encontrada
not-found-text = A página que você procura não existe ou foi movida.
not-found-home = Ir para o painel

## Tipos de canal
channel-type-web-widget = Site
channel-type-api = API
channel-type-email = E-mail
channel-type-facebook = Messenger
channel-type-instagram = Instagram
channel-type-telegram = Telegram
channel-type-line = LINE
channel-type-sms = SMS
channel-type-twilio-sms = SMS do Twilio
channel-type-whatsapp = WhatsApp
channel-type-twitter = X (Twitter)
channel-type-tiktok = TikTok
channel-type-voice = Voz
channel-type-other = Outro canal

## Códigos de erro da API
error-generic = Algo deu errado. Tente novamente.
error-network-error = Não foi possível conectar ao servidor. Verifique sua conexão e tente novamente.
error-invalid-credentials = O e-mail ou a senha estão incorretos.
error-rate-limited = Muitas tentativas. Aguarde um momento e tente novamente.
error-unauthorized = Sua sessão terminou. Entre novamente.
error-forbidden = Você não tem permissão para fazer isso.
error-not-found = Este item não existe ou você não tem acesso a ele.
error-validation-failed = Alguns campos não são válidos. Verifique-os e tente novamente.
error-internal-error = O servidor teve um problema. Tente novamente mais tarde.
error-malformed-json = Não foi possível ler a solicitação. Recarregue a página e tente novamente.
error-missing-requested-with = A solicitação foi recusada por motivos de segurança. Recarregue a página.
error-payload-too-large = Isso é grande demais para enviar.
error-service-unavailable = O serviço está temporariamente indisponível. Tente novamente em instantes.
error-unsupported-channel-type = Este tipo de canal ainda não é compatível.
error-twilio-setup-failed = O Twilio recusou a configuração. Verifique as credenciais e tente novamente.
error-twilio-setup-failed-with = O Twilio recusou a configuração: { $message }

## Controles de formulário
form-show = Mostrar
form-hide = Ocultar
form-show-field = Mostrar { $field }
form-hide-field = Ocultar { $field }
copy = Copiar
copied = Copiado para a área de transferência.
copy-failed = Não foi possível copiar automaticamente. O texto está selecionado: pressione Ctrl+C (⌘C no Mac) para copiá-lo.

## Assistente de nova caixa: canais
wizard-back-to-channels = Escolher outro canal
channel-voice-title = Voz
channel-voice-description = Integre com o Twilio Voice
channel-api-title = API
channel-api-description = Crie um canal personalizado usando nossa API
channel-instagram-title = Instagram
channel-instagram-description = Conecte sua conta do Instagram
channel-website-title = Site
channel-website-description = Crie um widget de chat ao vivo
channel-facebook-title = Messenger
channel-facebook-description = Conecte sua página do Facebook
channel-whatsapp-title = WhatsApp
channel-whatsapp-description = Atenda seus clientes no WhatsApp
channel-sms-title = SMS
channel-sms-description = Integre um canal de SMS com Twilio ou Bandwidth
channel-email-title = E-mail
channel-email-description = Conecte Gmail, Outlook ou outros provedores
channel-telegram-title = Telegram
channel-telegram-description = Configure um canal do Telegram com o token de um bot
channel-line-title = LINE
channel-line-description = Integre seu canal do LINE
channel-tiktok-title = TikTok
channel-tiktok-description = Conecte sua conta do TikTok
channel-twitter-title = X (Twitter)
channel-twitter-description = Conecte seu perfil do X

## Assistente de nova caixa: voz
voice-title = Canal de voz
voice-description = Receba ligações pelo seu número do Twilio. O Switchboard configura os webhooks de voz do número para você.
voice-phone-number-label = Número de telefone
voice-phone-number-placeholder = +15551234567
voice-phone-number-help = Seu número do Twilio no formato E.164: um + seguido do código do país e do número, sem espaços.
voice-phone-number-required = Informe o número de telefone.
voice-phone-number-invalid = Informe o número no formato E.164, por exemplo +15551234567 (um +, o código do país e o número, sem espaços nem hífens).
voice-phone-number-taken = Este número de telefone já está conectado a uma caixa de entrada.
voice-account-sid-label = Account SID
voice-account-sid-placeholder = ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
voice-account-sid-help = No Console do Twilio, em “Account Info” na página inicial. Começa com AC.
voice-account-sid-required = Informe o Account SID do Twilio.
voice-account-sid-invalid = O Account SID é AC seguido de 32 letras (a–f) e dígitos.
voice-auth-token-label = Auth Token
voice-auth-token-placeholder = Seu auth token do Twilio
voice-auth-token-help = Ao lado do Account SID, em “Account Info” no Console do Twilio.
voice-auth-token-required = Informe o Auth Token do Twilio.
voice-api-key-sid-label = API Key SID
voice-api-key-sid-placeholder = SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
voice-api-key-sid-help = Crie uma API key padrão no Console do Twilio, em Account › API keys & tokens. O SID dela começa com SK.
voice-api-key-sid-required = Informe o API Key SID do Twilio.
voice-api-key-sid-invalid = O API Key SID é SK seguido de 32 letras (a–f) e dígitos.
voice-api-key-secret-label = API Key Secret
voice-api-key-secret-placeholder = O segredo da sua API key
voice-api-key-secret-help = Exibido uma única vez, ao criar a API key no Console do Twilio.
voice-api-key-secret-required = Informe o API Key Secret do Twilio.
voice-submit = Criar canal de voz
voice-submitting = Criando canal de voz…
voice-provider-twilio = Twilio
voice-webhooks-intro = O Twilio envia as ligações para estes dois endereços. O Switchboard os configura no seu número automaticamente; se o número não foi encontrado, cole-os você mesmo.
voice-call-webhook-url-label = URL do webhook de voz
voice-call-webhook-url-hint = No Console do Twilio, abra seu número › Voice Configuration e cole-a em “A call comes in” (Webhook, HTTP POST).
voice-status-webhook-url-label = URL de callback de status
voice-status-webhook-url-hint = Na mesma página, cole-a em “Call status changes” (HTTP POST).

## Assistente de nova caixa: API
api-title = Canal de API
api-description = Um canal personalizado: envie e receba mensagens pela API do Switchboard.
api-name-label = Nome da caixa de entrada
api-name-placeholder = ex.: Backend do chat do site
api-name-help = Exibido aos agentes na barra lateral e na lista de conversas.
api-name-required = Informe um nome.
api-name-too-long = O nome é longo demais (no máximo 255 caracteres).
api-name-invalid = Este nome não pode ser usado.
api-webhook-url-label = URL do webhook (opcional)
api-webhook-url-placeholder = https://example.com/switchboard/webhook
api-webhook-url-help = O Switchboard envia para este endereço as novas mensagens e eventos desta caixa.
api-webhook-url-invalid = Informe uma URL completa começando com https:// ou http://.
api-submit = Criar canal de API
api-submitting = Criando canal de API…

## Assistente de nova caixa: agentes
agents-title = Adicionar agentes
agents-description = Escolha os agentes que atenderão as conversas desta caixa. Você pode alterá-los depois.
agents-legend = Agentes
agents-empty = Ainda não há outros agentes nesta conta. Você pode adicionar membros a esta caixa depois.
agents-continue = Continuar
agents-submit = Adicionar agentes
agents-submitting = Adicionando agentes…
agents-skip = Pular

## Assistente de nova caixa: concluído
finish-title = Concluído
finish-description = Sua nova caixa de entrada está configurada.
finish-ready = Sua caixa de entrada está pronta
finish-go-to-settings = Ir para as configurações da caixa
warning-generic = A caixa foi criada, mas parte da configuração não foi concluída. Verifique a configuração dela.
warning-phone-number-not-found-in-twilio = Este número não foi encontrado na sua conta do Twilio, então os webhooks dele não foram configurados. Cole as duas URLs abaixo na Voice Configuration do número, ou as ligações não chegarão a esta caixa.

## Configurações da caixa (voz)
inbox-settings-phone-e164 = E.164
inbox-settings-provider = Provedor
inbox-settings-voice-config = Configuração do Twilio
