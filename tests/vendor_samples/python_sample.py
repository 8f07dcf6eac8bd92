# The vendor's Python sample from the CancelNotifyByReferenceID page, verbatim except for the
# WSDL host (the test replaces SANDBOX_HOST with the sandbox's host:port) and the closing
# brace of `request`, which the page's text extraction lost.
from datetime import datetime, timedelta
import zeep
client = zeep.Client(wsdl="http://SANDBOX_HOST/notifyws/phonenotify.asmx?wsdl")
license_key = "00000000-0000-0000-0000-000000000000"
reference_id = "notify1"
dt = datetime.utcnow() + timedelta(days=1)
utc_scheduled_date_time = f"{dt.isoformat()}Z"
# Let's queue a notification and give it a reference ID.
request = {
"PhoneNumberToDial": "17575559999",
"VoiceID": 1,
"CallerIDNumber": "7575550000",
"CallerIDName": "Esendex Services",
"TextToSay": "Hello, this call was sent with Python.",
"LicenseKey": license_key,
"TryCount": 2,
"NextTryInSeconds": 180,
"UTCScheduledDateTime": utc_scheduled_date_time,
"TTSrate": 10,
"TTSvolume": 100,
"MaxCallLength": 0,
"ReferenceID": reference_id,
}
result = client.service.NotifyPhoneAdvanced(request)
# We can cancel the notification at any time before it's sent. Let's cancel it now.
result = client.service.CancelNotifyByReferenceID(reference_id, license_key)
