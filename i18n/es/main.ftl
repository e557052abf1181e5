# Switchboard SPA — Español.

app-name = Switchboard
loading = Cargando…
skip-to-content = Saltar al contenido

## Idiomas (cada uno en su propio idioma)
language-label = Idioma
language-en = English
language-es = Español
language-pt-BR = Português (Brasil)

## Barra lateral
nav-main = Navegación principal
nav-account = Cuenta
nav-conversations = Conversaciones
nav-settings = Configuración
nav-inboxes = Bandejas de entrada
nav-super-admin = Superadministración
nav-sign-out = Cerrar sesión
sidebar-inboxes-heading = Bandejas de entrada
sidebar-no-inboxes = Aún no hay bandejas de entrada

## Inicio de sesión
login-title = Inicia sesión en Switchboard
login-subtitle = Usa el correo electrónico y la contraseña de tu cuenta de agente.
login-email = Correo electrónico
login-email-placeholder = tu@ejemplo.com
login-password = Contraseña
login-password-placeholder = Tu contraseña
login-submit = Iniciar sesión
login-submitting = Iniciando sesión…
login-no-account = Has iniciado sesión, pero todavía no perteneces a ninguna cuenta. Pide a un administrador que te añada.

## Lista de bandejas de entrada
inboxes-title = Bandejas de entrada
inboxes-description = Los canales por los que te contactan tus clientes. Cada bandeja dirige sus mensajes a los agentes asignados.
inboxes-add = Añadir bandeja de entrada
inboxes-empty = Esta cuenta todavía no tiene bandejas de entrada. Añade una para empezar a recibir mensajes.
inboxes-loading = Cargando bandejas de entrada…
inboxes-settings = Configuración
inboxes-settings-for = Configuración de { $name }
inboxes-reauthorize = Necesita reconexión
retry = Reintentar

## Conversaciones
conversations-title = Conversaciones
conversations-empty = Aún no hay conversaciones
conversations-empty-hint = Cuando los clientes escriban a una de tus bandejas de entrada, sus conversaciones aparecerán aquí.
conversations-go-to-inboxes = Gestionar bandejas de entrada

## Nueva bandeja (selector de canal)
new-inbox-title = Añadir bandeja de entrada
new-inbox-description = Elige el canal que usarán tus clientes para contactarte.
new-inbox-step-channel = Elegir canal
new-inbox-step-configure = Configurar
new-inbox-step-agents = Añadir agentes
new-inbox-step-done = Listo
new-inbox-steps = Progreso
new-inbox-coming-soon = Próximamente
new-inbox-back = Volver a las bandejas de entrada

## Configuración de la bandeja
inbox-settings-title = Configuración de la bandeja
inbox-settings-description = El nombre, el canal y la identidad de esta bandeja de entrada.
inbox-settings-name = Nombre de la bandeja
inbox-settings-name-placeholder = p. ej. Línea de soporte
inbox-settings-name-help = Se muestra a los agentes en la barra lateral y en la lista de conversaciones.
inbox-settings-name-required = Escribe un nombre.
inbox-settings-type = Canal
inbox-settings-id = ID de la bandeja
inbox-settings-phone = Número de teléfono
inbox-settings-username = Nombre de usuario
inbox-settings-save = Guardar cambios
inbox-settings-saving = Guardando…
inbox-settings-saved = Bandeja de entrada actualizada.
inbox-settings-reauthorize = Esta bandeja ha perdido el acceso a su canal. Vuelve a conectarla para seguir recibiendo mensajes.

## Superadministración
super-admin-title = Configuración de la aplicación
super-admin-description = Ajustes de toda la instalación, como las credenciales de la aplicación de Instagram.
super-admin-placeholder = Aquí aparecerán los formularios de configuración.

## No encontrado
not-found-title = Página no encontrada
not-found-text = La página que buscas no existe o se ha movido.
not-found-home = Ir al panel

## Tipos de canal
channel-type-web-widget = Sitio web
channel-type-api = API
channel-type-email = Correo electrónico
channel-type-facebook = Messenger
channel-type-instagram = Instagram
channel-type-telegram = Telegram
channel-type-line = LINE
channel-type-sms = SMS
channel-type-twilio-sms = SMS de Twilio
channel-type-whatsapp = WhatsApp
channel-type-twitter = X (Twitter)
channel-type-tiktok = TikTok
channel-type-voice = Voz
channel-type-other = Otro canal

## Códigos de error de la API
error-generic = Algo salió mal. Inténtalo de nuevo.
error-network-error = No se pudo conectar con el servidor. Comprueba tu conexión e inténtalo de nuevo.
error-invalid-credentials = El correo electrónico o la contraseña no son correctos.
error-rate-limited = Demasiados intentos. Espera un momento e inténtalo de nuevo.
error-unauthorized = Tu sesión ha finalizado. Vuelve a iniciar sesión.
error-forbidden = No tienes permiso para hacer eso.
error-not-found = Este elemento no existe o no tienes acceso a él.
error-validation-failed = Algunos campos no son válidos. Revísalos e inténtalo de nuevo.
error-internal-error = El servidor tuvo un problema. Inténtalo de nuevo más tarde.
error-malformed-json = No se pudo leer la solicitud. Recarga la página e inténtalo de nuevo.
error-missing-requested-with = La solicitud fue rechazada por motivos de seguridad. Recarga la página.
error-payload-too-large = Es demasiado grande para enviarlo.
error-service-unavailable = El servicio no está disponible temporalmente. Inténtalo de nuevo en un momento.
error-unsupported-channel-type = Este tipo de canal todavía no es compatible.
