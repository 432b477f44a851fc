"""Keys for finding the same employer in free text: names, street addresses, phone numbers.

Tips name employers the way people speak ("Kebab & Pizza Kungsgatan", "Bygg-Janne AB"), not
by organisation number. These functions reduce such text to comparison keys, stored next to
the text (`Employer.name_key`, `Tip.name_key`, ...) so that candidate matches are an indexed
equality in the database, not a scan. A match is only ever a *candidate*: a coordinator
confirms or rejects it (`cases.tips.services.decide_employer_link`), so the keys favour recall.
"""

import re
import unicodedata

# Words that say what kind of company it is, not which one (Swedish and the forms most often
# met on building sites: Polish, Baltic, Finnish, German, English).
LEGAL_FORM_WORDS = frozenset(
    {
        "ab",
        "aktiebolag",
        "aktiebolaget",
        "publ",
        "hb",
        "handelsbolag",
        "handelsbolaget",
        "kb",
        "kommanditbolag",
        "ek",
        "ekonomisk",
        "forening",
        "ef",
        "enskild",
        "firma",
        "i",
        "likvidation",
        "konkurs",
        "sp",
        "z",
        "o",
        "oo",
        "uab",
        "sia",
        "ou",
        "oy",
        "as",
        "aps",
        "gmbh",
        "ltd",
        "limited",
    }
)
STREET_ABBREVIATIONS = {"g": "gatan", "v": "vagen", "gr": "grand"}
PHONE = re.compile(r"(?:\+|00)?\d[\d\s\-–()]{6,16}\d")


def _fold(text: str) -> str:
    """Case-folded, without diacritics (people type "Stromberg" for "Strömberg")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _fold(text).replace("&", " och "))


def name_key(name: str) -> str:
    """'Bygg-Janne i Solna AB' -> 'bygg janne solna'. Empty when nothing distinctive is left."""
    words = [w for w in _words(name) if w not in LEGAL_FORM_WORDS]
    key = " ".join(words)
    return key if len(key) >= 3 else ""


def address_key(address: str) -> str:
    """'Storg. 12 B' and 'Storgatan 12b' -> 'storgatan 12b'."""
    text = _fold(address)
    # "Storg." -> "storgatan", "Kungsv." -> "kungsvagen", "Kyrkogr." -> "kyrkogrand".
    text = re.sub(
        r"\b([a-z]*?)(gr|g|v)\.", lambda m: m.group(1) + STREET_ABBREVIATIONS[m.group(2)], text
    )
    words = re.findall(r"[a-z]+|\d+", text)
    out: list[str] = []
    for word in words:
        if out and word.isalpha() and len(word) == 1 and out[-1].isdigit():
            out[-1] += word  # house letter: 12 B -> 12b
        else:
            out.append(word)
    key = " ".join(out)
    return key if any(w.isdigit() or w[:1].isdigit() for w in out) and len(key) >= 5 else ""


def phone_key(number: str) -> str:
    """'+46 (0)70-123 45 67' and '070 123 45 67' -> '0701234567'."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("0046"):
        digits = digits[4:]
    elif digits.startswith("46") and number.strip().startswith("+"):
        digits = digits[2:]
    if digits and not digits.startswith("0"):
        digits = "0" + digits
    return digits if 8 <= len(digits) <= 11 else ""


def phone_keys(text: str) -> str:
    """Every phone number in a text, as ' key1 key2 ' (spaces around each, for containment)."""
    keys = sorted({k for k in (phone_key(m.group(0)) for m in PHONE.finditer(text)) if k})
    return f" {' '.join(keys)} " if keys else ""
