from couples.i18n import N_
from couples.validation import Strict, Text


class KeptIn(Strict):
    source = Text(max_length=80, load_default=N_("words not sent"))
    text = Text(required=True, min_length=1, max_length=20000, multiline=True)
