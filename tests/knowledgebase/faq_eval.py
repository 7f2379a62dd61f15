"""Citizen phrasings mapped to the FAQ article (slug, language) that answers them.

Written the way people type into a help box: inflected forms, colloquial words, typos,
no punctuation, and English for the articles that have an English version."""

EVAL_SET = [
    # account access and passwords
    ("забыла пароль что делать", "forgot-password", "ru"),
    ("не могу вспомнить пароль от кабинета", "forgot-password", "ru"),
    ("как сбросить пороль", "forgot-password", "ru"),
    ("восстановление паролем через почту", "forgot-password", "ru"),
    ("кабинет заблокирован слишком много раз ввел неправильный пароль", "account-locked", "ru"),
    ("меня заблокировали на сайте", "account-locked", "ru"),
    ("как поменять номер телефона в профиле", "change-password", "ru"),
    ("хочу сменить пароль", "change-password", "ru"),
    ("потерял телефон и не могу войти нет доступа к номеру", "lost-access-phone", "ru"),
    ("старая симка не работает а почту не помню", "lost-access-phone", "ru"),
    # SMS codes and second factor
    ("не приходит смс", "sms-code-not-arriving", "ru"),
    ("код по смс не пришёл уже 10 минут", "sms-code-not-arriving", "ru"),
    ("не приходят сообщения с кодом", "sms-code-not-arriving", "ru"),
    ("пишет неверный код хотя ввожу правильно", "code-expired", "ru"),
    ("срок действия кода истёк", "code-expired", "ru"),
    ("как включить двухфакторку", "two-factor-setup", "ru"),
    ("вход по коду из приложения аутентификатора", "two-factor-setup", "ru"),
    # confirming identity
    ("как подтвердить учетку", "confirm-identity-ways", "ru"),
    ("подтверждение личности через сбербанк онлайн", "confirm-identity-ways", "ru"),
    ("где подтвердить личность лично в мфц", "identity-at-centre", "ru"),
    ("снилс не проходит проверку", "data-check-failed", "ru"),
    ("ошибка проверки паспортных данных", "data-check-failed", "ru"),
    ("поменяла фамилию после свадьбы как обновить данные", "change-personal-data", "ru"),
    ("сменил прописку как изменить адрес", "change-personal-data", "ru"),
    # application statuses
    ("что значит статус принято", "status-meanings", "ru"),
    ("что означает статус в работе", "status-meanings", "ru"),
    ("заявление висит уже неделю статус не меняется", "status-not-changing", "ru"),
    ("просят дослать документы", "waiting-documents", "ru"),
    ("где скачать готовый документ", "where-is-result", "ru"),
    # rejection and appeals
    ("почему отказали в услуге", "why-rejected", "ru"),
    ("где увидеть причину отказа", "why-rejected", "ru"),
    ("как обжаловать решение", "how-to-appeal", "ru"),
    ("не согласен с отказом куда жаловаться", "how-to-appeal", "ru"),
    ("можно ли подать заявление еще раз после отказа", "reapply-after-rejection", "ru"),
    ("хочу пожаловаться на грубого сотрудника", "complaint-about-staff", "ru"),
    # documents and file formats
    ("какой формат файлов можно загрузить", "file-formats", "ru"),
    ("файл больше 5 мб что делать", "file-formats", "ru"),
    ("можно ли прикрепить документ в ворде", "file-formats", "ru"),
    ("как сфотографировать паспорт для заявления", "scan-quality", "ru"),
    ("не загружается скан ошибка", "upload-error", "ru"),
    ("загранпаспорт какие документы", "foreign-passport", "ru"),
    ("документы на загран", "foreign-passport", "ru"),
    ("замена паспорта в 45 лет", "passport-replacement", "ru"),
    # forms
    ("форма не отправляется", "form-wont-submit", "ru"),
    ("кнопка отправить не нажимается", "form-wont-submit", "ru"),
    ("поле горит красным", "field-validation", "ru"),
    ("пропал черновик заявления", "draft-lost", "ru"),
    # browser and mobile app
    ("в каком браузере работает сайт", "supported-browsers", "ru"),
    ("как почистить кеш", "supported-browsers", "ru"),
    ("вылетает приложение на андроиде", "mobile-app-problems", "ru"),
    ("приложение не открывается на айфоне", "mobile-app-problems", "ru"),
    ("белый экран на сайте ошибка 500", "page-error", "ru"),
    # electronic signature
    ("где получить эцп", "which-signature", "ru"),
    ("нужна ли квалифицированная электронная подпись", "which-signature", "ru"),
    ("не видит сертификат подписи криптопро", "signature-plugin-error", "ru"),
    ("что такое простая подпись", "simple-signature", "ru"),
    # payments and refunds
    ("как заплатить госпошлину", "how-to-pay", "ru"),
    ("оплатить пошлину картой", "how-to-pay", "ru"),
    ("деньги списались а оплата не отображается", "payment-not-shown", "ru"),
    ("как вернуть деньги за госпошлину", "refund", "ru"),
    ("заплатил два раза хочу возврат", "refund", "ru"),
    # appointments
    ("записаться в мфц", "book-appointment", "ru"),
    ("как взять талон на прием", "book-appointment", "ru"),
    ("отменить запись на прием", "reschedule-cancel", "ru"),
    ("не успеваю прийти можно перенести время", "reschedule-cancel", "ru"),
    ("что взять с собой на прием", "visit-preparation", "ru"),
    # processing times
    ("сколько ждать ответа на обращение", "appeal-answer-time", "ru"),
    ("когда будет готова услуга", "service-times", "ru"),
    ("прошло 30 дней а ответа нет", "deadline-missed", "ru"),
    # contact channels and hours
    ("во сколько работает поддержка", "contact-hours", "ru"),
    ("телефон горячей линии", "contact-hours", "ru"),
    ("как написать в поддержку", "feedback-form", "ru"),
    ("хочу поговорить с живым человеком", "chat-operator", "ru"),
    # English
    ("I forgot my password", "forgot-password", "en"),
    ("sms code not coming", "sms-code-not-arriving", "en"),
    ("what file types can I upload", "file-formats", "en"),
    ("how to appeal a rejection", "how-to-appeal", "en"),
    ("support opening hours", "contact-hours", "en"),
    ("book an appointment", "book-appointment", "en"),
    ("documents for international pasport", "foreign-passport", "en"),
]
