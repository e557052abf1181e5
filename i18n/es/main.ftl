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
inbox-settings-locale = Idioma
inbox-settings-locale-help = El idioma en el que esta bandeja saluda a quienes llaman.
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

## Superadministración: configuración de la aplicación de Instagram
super-admin-forbidden-title = No tienes permiso para ver esta página
super-admin-forbidden-text = Solo los superadministradores de esta instalación pueden cambiar la configuración de la aplicación. Pídeselo a uno de ellos si hace falta cambiar algo.
ig-config-title = Instagram
ig-config-description = La aplicación de Meta que permite a tus cuentas conectar cuentas profesionales de Instagram (API de Instagram con inicio de sesión de Instagram).
ig-config-status-configured = Configurado: los administradores pueden conectar bandejas de Instagram.
ig-config-status-missing = Aún sin configurar: introduce el ID y la clave secreta de la aplicación para ofrecer bandejas de Instagram.
ig-not-set = Sin definir
ig-app-id-label = ID de la aplicación de Instagram
ig-app-id-placeholder = p. ej. 123456789012345
ig-app-id-help = En Meta for Developers, abre tu aplicación › Instagram › Configuración de la API con inicio de sesión de Instagram: el «ID de la aplicación de Instagram» (no el ID de la aplicación de Facebook de Configuración de la aplicación › Básica).
ig-app-id-invalid = El ID de la aplicación es un número, como 123456789012345.
ig-app-secret-label = Clave secreta de la aplicación de Instagram
ig-app-secret-help = Junto al ID de la aplicación de Instagram, en Configuración de la API con inicio de sesión de Instagram («Clave secreta de la aplicación de Instagram»; pulsa Mostrar en el panel de Meta). Se guarda cifrada; deja la máscara para conservar la clave guardada.
ig-app-secret-invalid = Se rechazó esta clave secreta. Vuelve a pegarla desde el panel de Meta.
ig-verify-token-label = Token de verificación del webhook
ig-verify-token-help = Cualquier texto que elijas. Pega el mismo valor como «Token de verificación» al configurar los webhooks en el panel de Meta (Configuración de la API con inicio de sesión de Instagram › Configurar webhooks).
ig-verify-token-invalid = Se rechazó este token de verificación. Usa letras, cifras y signos, sin espacios.
ig-api-version-label = Versión de la API Graph
ig-api-version-placeholder = v22.0
ig-api-version-help = La versión de la API Graph de Instagram que se usará, escrita como v22.0. Deja la predeterminada salvo que Meta la haya retirado.
ig-api-version-invalid = Escribe la versión como v22.0.
ig-human-agent-label = Permitir respuestas hasta 7 días después del último mensaje del cliente (Agente humano)
ig-human-agent-help = Requiere que Meta apruebe el permiso «Human Agent» para tu aplicación (revisión de la aplicación). Sin él, solo se puede responder dentro de las 24 horas.
ig-human-agent-invalid = Se rechazó este valor. Desactiva la opción y vuelve a activarla.
ig-save = Guardar
ig-saving = Guardando…
ig-config-saved = Configuración de Instagram guardada.
ig-urls-title = URL para el panel de Meta
ig-urls-description = Cópialas en tu aplicación de Meta. Se construyen a partir de la dirección pública de este servidor (FRONTEND_URL).
ig-url-webhook-label = URL de devolución de llamada del webhook
ig-url-webhook-hint = Instagram › Configuración de la API con inicio de sesión de Instagram › Configurar webhooks: «URL de devolución de llamada», con el token de verificación de arriba. Suscríbete a messages, message_reactions y messaging_seen.
ig-url-redirect-label = URL de redirección de OAuth
ig-url-redirect-hint = Instagram › Configuración de la API con inicio de sesión de Instagram › Configurar el inicio de sesión empresarial de Instagram: «URI de redirección de OAuth».
ig-url-deauthorize-label = URL de devolución de llamada para desautorizar
ig-url-deauthorize-hint = Ajustes del inicio de sesión empresarial: «URL de devolución de llamada para desautorizar». Meta la llama cuando alguien quita tu aplicación.
ig-url-data-deletion-label = URL de solicitud de eliminación de datos
ig-url-data-deletion-hint = Ajustes del inicio de sesión empresarial: «URL de solicitud de eliminación de datos». Meta la llama cuando alguien pide que se borren sus datos.

## Instagram: selector de canal y asistente
channel-instagram-not-configured = Aún no disponible: un superadministrador tiene que introducir primero las credenciales de la aplicación de Instagram.
channel-instagram-configure = Configurar Instagram
ig-wizard-title = Conectar Instagram
ig-wizard-description = Recibe y responde los mensajes directos de Instagram de una cuenta profesional (de empresa o de creador).
ig-wizard-how-title = Qué pasará ahora
ig-wizard-how-1 = Te enviaremos a Instagram para que inicies sesión con la cuenta profesional que quieres conectar.
ig-wizard-how-2 = Instagram te pedirá que permitas a Switchboard leer y enviar sus mensajes. Acéptalo.
ig-wizard-how-3 = Volverás aquí para elegir qué agentes trabajan en la nueva bandeja.
ig-wizard-requirements = La cuenta debe ser una cuenta profesional de Instagram y la opción «Permitir acceso a los mensajes» debe estar activada en la aplicación de Instagram (Configuración › Mensajes y respuestas a historias › Controles de mensajes).
ig-wizard-admin-only = Solo los administradores de esta cuenta pueden conectar Instagram.
ig-connect = Continuar con Instagram
ig-redirecting = Redirigiendo a Instagram…
ig-error-access-denied = Autorización cancelada: no se conectó nada.
ig-error-state-expired = El intento de conexión caducó. Empieza de nuevo.
ig-error-state-reused = Este intento de conexión ya se usó. Empieza de nuevo.
ig-error-state-invalid = No se pudo verificar el intento de conexión. Empieza de nuevo.
ig-error-account-already-connected = Esta cuenta de Instagram está conectada en otra cuenta de Switchboard.
ig-error-not-configured = Instagram no está configurado en esta instalación. Pide a un superadministrador que introduzca las credenciales de la aplicación.
ig-error-forbidden = Solo los administradores de esta cuenta pueden conectar Instagram.
ig-error-timeout = Instagram tardó demasiado en responder. Inténtalo de nuevo en un momento.
ig-error-network = Switchboard no pudo comunicarse con Instagram. Inténtalo de nuevo en un momento.
ig-error-invalid-response = Instagram envió una respuesta que Switchboard no pudo leer. Inténtalo de nuevo.
ig-error-token = El token de acceso de Instagram caducó o no es válido. Vuelve a conectar la cuenta.
ig-error-rate-limited = Instagram está limitando las solicitudes en este momento. Espera unos minutos e inténtalo de nuevo.
ig-error-permissions = A la aplicación le falta un permiso que necesita. Acepta todos los permisos que pide Instagram y revisa los permisos de la aplicación en el panel de Meta.
ig-error-generic = Instagram devolvió un error.
error-instagram-not-configured = Instagram no está configurado en esta instalación. Pide a un superadministrador que introduzca las credenciales de la aplicación.

## Instagram: ajustes de la bandeja
ig-reauthorize-banner = Instagram ya no acepta el acceso de esta bandeja. Vuelve a conectar Instagram para seguir recibiendo y enviando mensajes.
ig-reconnect = Volver a conectar Instagram
ig-reauthorized = Instagram se volvió a conectar.
inbox-settings-instagram-id = ID de la cuenta de Instagram
inbox-settings-token-expires = El acceso caduca
inbox-settings-token-expired = Caducado

finish-instagram-connected = @{ $username } está conectada. Los nuevos mensajes directos que reciba aparecerán en Conversaciones.

## Conversations: list
conv-tabs-label = Mostrar conversaciones
conv-tab-mine = Mías
conv-tab-unassigned = Sin asignar
conv-tab-all = Todas
conv-status-label = Estado
conv-status-open = Abiertas
conv-status-resolved = Resueltas
conv-status-pending = Pendientes
conv-state-open = Abierta
conv-state-resolved = Resuelta
conv-state-pending = Pendiente
conv-status-all = Todos los estados
conv-loading = Cargando conversaciones…
conv-load-more = Cargar más
conv-empty-mine = No tienes conversaciones asignadas
conv-empty-mine-hint = Aquí aparecen las conversaciones que tienes asignadas. Elige una en las otras pestañas y asígnatela.
conv-empty-unassigned = No hay conversaciones sin asignar
conv-empty-unassigned-hint = Todas las conversaciones con este estado tienen un agente.
conv-show-all = Mostrar todas las conversaciones
conv-unread = Mensajes sin leer: { $count }
conv-preview-deleted = Mensaje eliminado
conv-preview-attachment = Archivo adjunto
conv-preview-unsupported = Mensaje no compatible
conv-preview-outgoing = Tú: { $text }
conv-preview-private = Nota: { $text }
conv-select-hint = Selecciona una conversación para leerla y responder.
time-now = ahora
time-minutes = { $n } min
time-hours = { $n } h

## Conversations: thread
conv-back = Todas las conversaciones
conv-assignee = Agente asignado
conv-unassigned = Sin asignar
conv-assign-me = Asignármela
conv-resolve = Resolver
conv-reopen = Reabrir
conv-open-inbox-settings = Abrir ajustes de la bandeja
conv-messages-label = Mensajes
conv-load-earlier = Cargar mensajes anteriores
conv-no-messages = Todavía no hay mensajes en esta conversación.
conv-private-note = Nota privada
conv-message-reply = Respuesta a un mensaje anterior
conv-message-deleted = Este mensaje fue eliminado
conv-message-unsupported = Este tipo de mensaje no se puede mostrar aquí. Ábrelo en la app del canal para verlo.
conv-message-failed = No entregado.
conv-reactions = Reacciones
conv-reaction-by = { $emoji } de { $name }
conv-attachment-image = Imagen
conv-attachment-image-from = Imagen enviada por { $name }
conv-attachment-video = Video
conv-attachment-audio = Mensaje de audio
conv-attachment-open = Abrir archivo adjunto
conv-status-sending = Enviando…
conv-status-sent = Enviado
conv-status-delivered = Entregado
conv-status-read = Leído
conv-status-failed = Falló
conv-call-incoming = Llamada entrante de { $number }
conv-call-outgoing = Llamada saliente a { $number }
conv-call-status-ringing = Sonando
conv-call-status-in-progress = En curso
conv-call-status-completed = Completada
conv-call-status-missed = Perdida
conv-call-status-ended = Finalizada
conv-call-duration = Duración
conv-call-recording = Grabación de la llamada
conv-preview-call = Llamada
conv-preview-missed-call = Llamada perdida

## Conversations: reply box
conv-reply-label = Respuesta
conv-reply-private-label = Nota privada
conv-reply-placeholder = Escribe una respuesta…
conv-reply-private-placeholder = Escribe una nota privada: solo la ven los agentes…
conv-reply-closed-placeholder = Ahora no se puede responder. Aún puedes añadir una nota privada.
conv-reply-keys = Intro para enviar, Mayús+Intro para una nueva línea
conv-private-note-toggle = Nota privada
conv-attach-files = Adjuntar archivos
conv-attach-files-hint = Elige archivos, o pégalos o suéltalos en el cuadro de respuesta
conv-files-picked = Archivos que se enviarán con la respuesta
conv-file-remove = Quitar { $name }
conv-file-too-large = { $name } supera { $size } y no se ha añadido.
conv-too-many-files = Una respuesta puede llevar como máximo { $count } archivos.
conv-send = Enviar
conv-add-note = Añadir nota
conv-window-closed = Ahora no puedes responder a esta conversación. Aún puedes añadir una nota privada.
conv-window-closed-24h = Instagram solo permite responder dentro de las 24 horas posteriores al último mensaje del cliente. Ese plazo terminó el { $time }. Podrás responder cuando el cliente vuelva a escribir; mientras tanto, puedes añadir una nota privada.
conv-window-closed-human-agent = Instagram permite responder hasta 7 días después del último mensaje del cliente (Human Agent). Ese plazo terminó el { $time }. Podrás responder cuando el cliente vuelva a escribir; mientras tanto, puedes añadir una nota privada.
conv-window-open-until = Puedes responder hasta el { $time }.
conv-window-human-agent = Ya pasaron las 24 horas: las respuestas se envían con la etiqueta Human Agent de Instagram hasta el { $time }.
error-messaging-window-closed = El plazo para responder a esta conversación terminó, así que el mensaje no se envió. Aún puedes añadir una nota privada.
