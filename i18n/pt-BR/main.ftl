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
inbox-settings-locale = Idioma
inbox-settings-locale-help = O idioma em que esta caixa de entrada cumprimenta quem liga.
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

## Superadministração: configuração do aplicativo do Instagram
super-admin-forbidden-title = Você não tem permissão para ver esta página
super-admin-forbidden-text = Somente os superadministradores desta instalação podem alterar a configuração do aplicativo. Peça a um deles se algo precisar mudar.
ig-config-title = Instagram
ig-config-description = O aplicativo da Meta que permite às suas contas conectar contas profissionais do Instagram (API do Instagram com login do Instagram).
ig-config-status-configured = Configurado: os administradores podem conectar caixas de entrada do Instagram.
ig-config-status-missing = Ainda não configurado: informe o ID e a chave secreta do aplicativo para oferecer caixas de entrada do Instagram.
ig-not-set = Não definido
ig-app-id-label = ID do aplicativo do Instagram
ig-app-id-placeholder = ex.: 123456789012345
ig-app-id-help = No Meta for Developers, abra seu aplicativo › Instagram › Configuração da API com login do Instagram: o "ID do aplicativo do Instagram" (não o ID do aplicativo do Facebook em Configurações do aplicativo › Básico).
ig-app-id-invalid = O ID do aplicativo é um número, como 123456789012345.
ig-app-secret-label = Chave secreta do aplicativo do Instagram
ig-app-secret-help = Ao lado do ID do aplicativo do Instagram, em Configuração da API com login do Instagram ("Chave secreta do aplicativo do Instagram"; clique em Mostrar no painel da Meta). Armazenada criptografada; mantenha a máscara para conservar a chave salva.
ig-app-secret-invalid = Esta chave secreta foi recusada. Cole-a novamente a partir do painel da Meta.
ig-verify-token-label = Token de verificação do webhook
ig-verify-token-help = Qualquer texto que você escolher. Cole o mesmo valor como "Token de verificação" ao configurar os webhooks no painel da Meta (Configuração da API com login do Instagram › Configurar webhooks).
ig-verify-token-invalid = Este token de verificação foi recusado. Use letras, números e sinais, sem espaços.
ig-api-version-label = Versão da API Graph
ig-api-version-placeholder = v22.0
ig-api-version-help = A versão da API Graph do Instagram a ser usada, escrita como v22.0. Mantenha o padrão, a menos que a Meta a tenha descontinuado.
ig-api-version-invalid = Escreva a versão como v22.0.
ig-human-agent-label = Permitir respostas até 7 dias após a última mensagem do cliente (Agente humano)
ig-human-agent-help = Requer que a Meta aprove a permissão "Human Agent" para o seu aplicativo (análise do aplicativo). Sem ela, só é possível responder dentro de 24 horas.
ig-human-agent-invalid = Este valor foi recusado. Desative a opção e ative-a novamente.
ig-save = Salvar
ig-saving = Salvando…
ig-config-saved = Configurações do Instagram salvas.
ig-urls-title = URLs para o painel da Meta
ig-urls-description = Copie-as para o seu aplicativo da Meta. Elas são montadas a partir do endereço público deste servidor (FRONTEND_URL).
ig-url-webhook-label = URL de retorno de chamada do webhook
ig-url-webhook-hint = Instagram › Configuração da API com login do Instagram › Configurar webhooks: "URL de retorno de chamada", com o token de verificação acima. Assine messages, message_reactions e messaging_seen.
ig-url-redirect-label = URL de redirecionamento do OAuth
ig-url-redirect-hint = Instagram › Configuração da API com login do Instagram › Configurar o login empresarial do Instagram: "URIs de redirecionamento do OAuth".
ig-url-deauthorize-label = URL de retorno de chamada para cancelar a autorização
ig-url-deauthorize-hint = Configurações do login empresarial: "URL de retorno de chamada para cancelar a autorização". A Meta a chama quando alguém remove o seu aplicativo.
ig-url-data-deletion-label = URL de solicitação de exclusão de dados
ig-url-data-deletion-hint = Configurações do login empresarial: "URL de solicitação de exclusão de dados". A Meta a chama quando alguém pede a exclusão dos seus dados.

## Instagram: seletor de canal e assistente
channel-instagram-not-configured = Ainda não disponível: um superadministrador precisa primeiro informar as credenciais do aplicativo do Instagram.
channel-instagram-configure = Configurar o Instagram
ig-wizard-title = Conectar o Instagram
ig-wizard-description = Receba e responda às mensagens diretas do Instagram de uma conta profissional (comercial ou de criador).
ig-wizard-how-title = O que acontece agora
ig-wizard-how-1 = Você será enviado ao Instagram para entrar com a conta profissional que deseja conectar.
ig-wizard-how-2 = O Instagram pedirá que você permita ao Switchboard ler e enviar as mensagens dela. Aprove.
ig-wizard-how-3 = Você volta para cá para escolher quais agentes trabalham na nova caixa de entrada.
ig-wizard-requirements = A conta precisa ser uma conta profissional do Instagram, e a opção "Permitir acesso às mensagens" precisa estar ativada no aplicativo do Instagram (Configurações › Mensagens e respostas aos stories › Controles de mensagens).
ig-wizard-admin-only = Somente os administradores desta conta podem conectar o Instagram.
ig-connect = Continuar com o Instagram
ig-redirecting = Redirecionando para o Instagram…
ig-error-access-denied = Autorização cancelada — nada foi conectado.
ig-error-state-expired = A tentativa de conexão expirou. Comece de novo.
ig-error-state-reused = Esta tentativa de conexão já foi usada. Comece de novo.
ig-error-state-invalid = Não foi possível verificar a tentativa de conexão. Comece de novo.
ig-error-account-already-connected = Esta conta do Instagram está conectada em outra conta do Switchboard.
ig-error-not-configured = O Instagram não está configurado nesta instalação. Peça a um superadministrador que informe as credenciais do aplicativo.
ig-error-forbidden = Somente os administradores desta conta podem conectar o Instagram.
ig-error-timeout = O Instagram demorou demais para responder. Tente novamente em instantes.
ig-error-network = O Switchboard não conseguiu se comunicar com o Instagram. Tente novamente em instantes.
ig-error-invalid-response = O Instagram enviou uma resposta que o Switchboard não conseguiu ler. Tente novamente.
ig-error-token = O token de acesso do Instagram expirou ou é inválido. Conecte a conta novamente.
ig-error-rate-limited = O Instagram está limitando as solicitações no momento. Aguarde alguns minutos e tente novamente.
ig-error-permissions = Falta ao aplicativo uma permissão necessária. Aprove todas as permissões que o Instagram pedir e verifique as permissões do aplicativo no painel da Meta.
ig-error-generic = O Instagram retornou um erro.
error-instagram-not-configured = O Instagram não está configurado nesta instalação. Peça a um superadministrador que informe as credenciais do aplicativo.

## Instagram: configurações da caixa de entrada
ig-reauthorize-banner = O Instagram não aceita mais o acesso desta caixa de entrada. Reconecte o Instagram para continuar recebendo e enviando mensagens.
ig-reconnect = Reconectar o Instagram
ig-reauthorized = Instagram reconectado.
inbox-settings-instagram-id = ID da conta do Instagram
inbox-settings-token-expires = O acesso expira em
inbox-settings-token-expired = Expirado

finish-instagram-connected = @{ $username } está conectada. As novas mensagens diretas recebidas aparecerão em Conversas.

## Conversations: list
conv-tabs-label = Mostrar conversas
conv-tab-mine = Minhas
conv-tab-unassigned = Não atribuídas
conv-tab-all = Todas
conv-status-label = Status
conv-status-open = Abertas
conv-status-resolved = Resolvidas
conv-status-pending = Pendentes
conv-state-open = Aberta
conv-state-resolved = Resolvida
conv-state-pending = Pendente
conv-status-all = Todos os status
conv-loading = Carregando conversas…
conv-load-more = Carregar mais
conv-empty-mine = Nenhuma conversa atribuída a você
conv-empty-mine-hint = As conversas atribuídas a você aparecem aqui. Escolha uma nas outras abas e atribua a você.
conv-empty-unassigned = Nenhuma conversa sem atribuição
conv-empty-unassigned-hint = Todas as conversas com este status têm um agente.
conv-show-all = Mostrar todas as conversas
conv-unread = Mensagens não lidas: { $count }
conv-preview-deleted = Mensagem apagada
conv-preview-attachment = Anexo
conv-preview-unsupported = Mensagem não suportada
conv-preview-outgoing = Você: { $text }
conv-preview-private = Nota: { $text }
conv-select-hint = Selecione uma conversa para ler e responder.
time-now = agora
time-minutes = { $n } min
time-hours = { $n } h

## Conversations: thread
conv-back = Todas as conversas
conv-assignee = Responsável
conv-unassigned = Não atribuída
conv-assign-me = Atribuir a mim
conv-resolve = Resolver
conv-reopen = Reabrir
conv-open-inbox-settings = Abrir configurações da caixa de entrada
conv-messages-label = Mensagens
conv-load-earlier = Carregar mensagens anteriores
conv-no-messages = Ainda não há mensagens nesta conversa.
conv-private-note = Nota privada
conv-message-reply = Resposta a uma mensagem anterior
conv-message-deleted = Esta mensagem foi apagada
conv-message-unsupported = Este tipo de mensagem não pode ser exibido aqui. Abra-a no app do canal para vê-la.
conv-message-failed = Não entregue.
conv-reactions = Reações
conv-reaction-by = { $emoji } de { $name }
conv-attachment-image = Imagem
conv-attachment-image-from = Imagem enviada por { $name }
conv-attachment-video = Vídeo
conv-attachment-audio = Mensagem de áudio
conv-attachment-open = Abrir anexo
conv-status-sending = Enviando…
conv-status-sent = Enviada
conv-status-delivered = Entregue
conv-status-read = Lida
conv-status-failed = Falhou
conv-call-incoming = Chamada recebida de { $number }
conv-call-outgoing = Chamada feita para { $number }
conv-call-status-ringing = Tocando
conv-call-status-in-progress = Em andamento
conv-call-status-completed = Concluída
conv-call-status-missed = Perdida
conv-call-status-ended = Encerrada
conv-call-duration = Duração
conv-call-recording = Gravação da chamada
conv-preview-call = Chamada
conv-preview-missed-call = Chamada perdida

## Conversations: reply box
conv-reply-label = Resposta
conv-reply-private-label = Nota privada
conv-reply-placeholder = Escreva uma resposta…
conv-reply-private-placeholder = Escreva uma nota privada — só os agentes a veem…
conv-reply-closed-placeholder = Não é possível responder agora. Você ainda pode adicionar uma nota privada.
conv-reply-keys = Enter para enviar, Shift+Enter para nova linha
conv-private-note-toggle = Nota privada
conv-attach-files = Anexar arquivos
conv-attach-files-hint = Escolha arquivos, ou cole ou solte-os na caixa de resposta
conv-files-picked = Arquivos que serão enviados com a resposta
conv-file-remove = Remover { $name }
conv-file-too-large = { $name } tem mais de { $size } e não foi adicionado.
conv-too-many-files = Uma resposta pode levar no máximo { $count } arquivos.
conv-send = Enviar
conv-add-note = Adicionar nota
conv-window-closed = Você não pode responder a esta conversa agora. Você ainda pode adicionar uma nota privada.
conv-window-closed-24h = O Instagram só permite respostas até 24 horas após a última mensagem do cliente. Esse prazo terminou em { $time }. Você poderá responder quando o cliente escrever de novo; enquanto isso, pode adicionar uma nota privada.
conv-window-closed-human-agent = O Instagram permite respostas até 7 dias após a última mensagem do cliente (Human Agent). Esse prazo terminou em { $time }. Você poderá responder quando o cliente escrever de novo; enquanto isso, pode adicionar uma nota privada.
conv-window-open-until = Você pode responder até { $time }.
conv-window-human-agent = As 24 horas já passaram: as respostas são enviadas com a tag Human Agent do Instagram até { $time }.
error-messaging-window-closed = O prazo para responder a esta conversa terminou, então a mensagem não foi enviada. Você ainda pode adicionar uma nota privada.
