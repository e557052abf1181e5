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
