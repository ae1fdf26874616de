"""Curated Dutch word lists for the lemmatizer: the few facts no PyPI table gets right.

Each list is general Dutch knowledge (frequent homographs, lexicalised forms), not a patch for
particular test words; change LEMMATIZER_VERSION in grondmotief.nlp.lemmas when editing them.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """A word list written as one readable string."""
    return frozenset(text.split())


# Diminutives whose meaning left the base noun (maatje = buddy, not a small size).
LEXICALISED_DIMINUTIVES = words(
    "meisje maatje beetje uitje toetje weetje koekje ommetje tientje dubbeltje kwartje rondje"
)

MONTHS = {
    "jan.": "januari", "feb.": "februari", "febr.": "februari", "mrt.": "maart",
    "apr.": "april", "jun.": "juni", "jul.": "juli", "aug.": "augustus", "sep.": "september",
    "sept.": "september", "okt.": "oktober", "nov.": "november", "dec.": "december",
}  # fmt: skip
# Frequent words the tables misread as verb stems or adjective forms (geleden -> lijden).
_KEEP = words("geleden genoeg straks minstens tenminste eerst ooit later zelfs steeds acht")
# Participles that live on as adjectives; keeping them lets "betrokken*" match "betrokkenheid".
_ADJECTIVES = words("ingewikkeld betrokken geïnteresseerd gewend verwend gespannen")
# "'s" in transcripts is nearly always the old genitive article ('s avonds, 's morgens).
OVERRIDES: dict[str, str] = (
    {**MONTHS, "'s": "des"}
    | {w: w for w in LEXICALISED_DIMINUTIVES}
    | {w: w for w in _KEEP | _ADJECTIVES}
    | {w + "e": w for w in _ADJECTIVES if w.endswith(("d", "t"))}  # ingewikkelde
)

# Particles of separable verbs, longest first so "binnen" is tried before "in".
PARTICLES = tuple(
    sorted(
        words(
            "aan af bij binnen buiten dicht door goed in kwijt langs los mee mis na neer om onder "
            "op open over plaats deel rond samen stil tegen terug thuis toe uit vast voor voorbij "
            "vrij weg weer achter bekend klaar teleur tevreden heen"
        ),
        key=lambda p: (-len(p), p),
    )
)
# Noun/verb homographs where the tables' prior (simplemma's one answer) picks the reading that
# is rarer in speech; no word frequencies exist offline. Context in the pipeline still decides.
VERB_FIRST = words(
    "bellen bouwen delen draaien drukken duwen fietsen geloven gelden halen hangen hopen huren "
    "kiezen kloppen kopen kosten laten leggen lenen lijken lopen melden merken missen passen "
    "pakken plaatsen regelen reizen roepen rusten schelen schatten slapen spelen steken stellen "
    "steunen stoppen sturen tekenen tellen testen trekken trouwen vallen vangen verkopen vieren "
    "vliegen vormen vragen wachten wassen wennen werken wijzen zetten zorgen keuren stappen "
    "scannen lunchen typen toetsen proeven slagen gebruiken bezoeken antwoorden besluiten "
    "bestellen overleggen overwegen uitleggen uitvoeren vergelijken verliezen vertrekken "
    "vervolgen schreeuwen schrikken inzetten ophalen opzetten oppassen invoeren aflopen "
    "samenhangen uitkijken vissen groeten leken schreven gaven hoeven werven kweken storten "
    "tillen inkopen staat"
)
# Function words, adjectives and the commonest verb forms that the tables also list as a noun
# and a verb ("en" -> emmen, "moet" a stain): one fixed lemma, so "ik en" never turns into a
# verb and "het moet" never into a noun.
NOT_HOMOGRAPHS = words(
    "en in niet wel want weer mijn haar hem zij hen paar pas eigen toch maar ook nog al dan zo "
    "tegen zijn heel net rond hoor kant negen vier acht heb hebt heeft ben bent kan kun kunt moet wil wilt "
    "zit kom komt ga gaat weet kijk snap krijg krijgt word wordt zeg zegt"
)
# And the reverse: nouns far commoner than the verb reading the tables prefer (tuin -> tuinen).
NOUN_FIRST = words(
    "leden velden verslagen gevallen kasten boot tuin cijfer boete geld fiets huur schuur lift "
    "stroom opbouw vloer rooster stapel stempel puzzel druppel loods knoop schoonmaak bak pot "
    "tolk roer"
)
# Inseparable verb prefixes: herschreven = her + schreven, besteed = be + steed.
INSEPARABLE = ("her", "ver", "ont", "be", "er", "ge")
