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
error-twilio-setup-failed = Twilio rechazó la configuración. Revisa las credenciales e inténtalo de nuevo.
error-twilio-setup-failed-with = Twilio rechazó la configuración: { $message }

## Controles de formulario
form-show = Mostrar
form-hide = Ocultar
form-show-field = Mostrar { $field }
form-hide-field = Ocultar { $field }
copy = Copiar
copied = Copiado al portapapeles.
copy-failed = No se pudo copiar automáticamente. El texto está seleccionado: pulsa Ctrl+C (⌘C en Mac) para copiarlo.

## Asistente de nueva bandeja: canales
wizard-back-to-channels = Elegir otro canal
channel-voice-title = Voz
channel-voice-description = Integra Twilio Voice
channel-api-title = API
channel-api-description = Crea un canal personalizado con nuestra API
channel-instagram-title = Instagram
channel-instagram-description = Conecta tu cuenta de Instagram
channel-website-title = Sitio web
channel-website-description = Crea un widget de chat en vivo
channel-facebook-title = Messenger
channel-facebook-description = Conecta tu página de Facebook
channel-whatsapp-title = WhatsApp
channel-whatsapp-description = Atiende a tus clientes en WhatsApp
channel-sms-title = SMS
channel-sms-description = Integra un canal SMS con Twilio o Bandwidth
channel-email-title = Correo electrónico
channel-email-description = Conecta Gmail, Outlook u otros proveedores
channel-telegram-title = Telegram
channel-telegram-description = Configura un canal de Telegram con el token de un bot
channel-line-title = LINE
channel-line-description = Integra tu canal de LINE
channel-tiktok-title = TikTok
channel-tiktok-description = Conecta tu cuenta de TikTok
channel-twitter-title = X (Twitter)
channel-twitter-description = Conecta tu perfil de X

## Asistente de nueva bandeja: voz
voice-title = Canal de voz
voice-description = Recibe llamadas a través de tu número de Twilio. Switchboard configura los webhooks de voz del número por ti.
voice-phone-number-label = Número de teléfono
voice-phone-number-placeholder = +15551234567
voice-phone-number-help = Tu número de Twilio en formato E.164: un + seguido del código de país y el número, sin espacios.
voice-phone-number-required = Introduce el número de teléfono.
voice-phone-number-invalid = Introduce el número en formato E.164, p. ej. +15551234567 (un +, el código de país y el número, sin espacios ni guiones).
voice-phone-number-taken = Este número de teléfono ya está conectado a una bandeja de entrada.
voice-account-sid-label = Account SID
voice-account-sid-placeholder = ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
voice-account-sid-help = En la consola de Twilio, en «Account Info» de la página de inicio. Empieza por AC.
voice-account-sid-required = Introduce el Account SID de Twilio.
voice-account-sid-invalid = El Account SID es AC seguido de 32 letras (a–f) y dígitos.
voice-auth-token-label = Auth Token
voice-auth-token-placeholder = Tu auth token de Twilio
voice-auth-token-help = Junto al Account SID, en «Account Info» de la consola de Twilio.
voice-auth-token-required = Introduce el Auth Token de Twilio.
voice-api-key-sid-label = API Key SID
voice-api-key-sid-placeholder = SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
voice-api-key-sid-help = Crea una API key estándar en la consola de Twilio, en Account › API keys & tokens. Su SID empieza por SK.
voice-api-key-sid-required = Introduce el API Key SID de Twilio.
voice-api-key-sid-invalid = El API Key SID es SK seguido de 32 letras (a–f) y dígitos.
voice-api-key-secret-label = API Key Secret
voice-api-key-secret-placeholder = El secreto de tu API key
voice-api-key-secret-help = Se muestra una sola vez, al crear la API key en la consola de Twilio.
voice-api-key-secret-required = Introduce el API Key Secret de Twilio.
voice-submit = Crear canal de voz
voice-submitting = Creando canal de voz…
voice-provider-twilio = Twilio
voice-webhooks-intro = Twilio envía las llamadas a estas dos direcciones. Switchboard las configura en tu número automáticamente; si no se encontró el número, pégalas tú.
voice-call-webhook-url-label = URL del webhook de voz
voice-call-webhook-url-hint = En la consola de Twilio, abre tu número › Voice Configuration y pégala en «A call comes in» (Webhook, HTTP POST).
voice-status-webhook-url-label = URL de callback de estado
voice-status-webhook-url-hint = En la misma página, pégala en «Call status changes» (HTTP POST).

## Asistente de nueva bandeja: API
api-title = Canal API
api-description = Un canal personalizado: envía y recibe mensajes a través de la API de Switchboard.
api-name-label = Nombre de la bandeja
api-name-placeholder = p. ej. Backend del chat web
api-name-help = Se muestra a los agentes en la barra lateral y en la lista de conversaciones.
api-name-required = Introduce un nombre.
api-name-too-long = El nombre es demasiado largo (255 caracteres como máximo).
api-name-invalid = Este nombre no se puede usar.
api-webhook-url-label = URL del webhook (opcional)
api-webhook-url-placeholder = https://example.com/switchboard/webhook
api-webhook-url-help = Switchboard envía a esta dirección los mensajes y eventos nuevos de esta bandeja.
api-webhook-url-invalid = Introduce una URL completa que empiece por https:// o http://.
api-submit = Crear canal API
api-submitting = Creando canal API…

## Asistente de nueva bandeja: agentes
agents-title = Añadir agentes
agents-description = Elige los agentes que atenderán las conversaciones de esta bandeja. Puedes cambiarlos más tarde.
agents-legend = Agentes
agents-empty = Todavía no hay otros agentes en esta cuenta. Puedes añadir miembros a esta bandeja más tarde.
agents-continue = Continuar
agents-submit = Añadir agentes
agents-submitting = Añadiendo agentes…
agents-skip = Omitir

## Asistente de nueva bandeja: listo
finish-title = Listo
finish-description = Tu nueva bandeja de entrada está configurada.
finish-ready = Tu bandeja de entrada está lista
finish-go-to-settings = Ir a la configuración de la bandeja
warning-generic = La bandeja se creó, pero parte de su configuración no se completó. Revisa su configuración.
warning-phone-number-not-found-in-twilio = No se encontró este número en tu cuenta de Twilio, así que no se configuraron sus webhooks. Pega las dos URL de abajo en la Voice Configuration del número o las llamadas no llegarán a esta bandeja.

## Configuración de la bandeja (voz)
inbox-settings-phone-e164 = E.164
inbox-settings-provider = Proveedor
inbox-settings-voice-config = Configuración de Twilio
