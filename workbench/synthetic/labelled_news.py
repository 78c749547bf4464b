"""Generated labelled news articles for evaluating OSINT triage (not real news).

:func:`make_labelled_set` generates a seeded multilingual set of articles with their
truth (relevant or not, exploitation type, sector, place and its coordinates, the date
mentioned), including hard negatives: drug, arms and wildlife trafficking, road traffic,
and labour news without exploitation. Templates are this module's own (distinct from
:mod:`workbench.synthetic.demo`'s news). Moved here from ``workbench.collect.evaluation``
once the relevance model stopped training on them; it is used by the triage benchmark,
``workbench evaluate-triage`` (a generated set beside the real ones) and tests.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from workbench.collect.evaluation import LABEL_COLUMNS
from workbench.places.gazetteer import resolve_city

# (written form, gazetteer name, ISO3)
PLACES: dict[str, list[tuple[str, str, str]]] = {
    "en": [("London", "London", "GBR"), ("Manchester", "Manchester", "GBR"), ("Lagos", "Lagos", "NGA"),
           ("Birmingham", "Birmingham", "GBR"), ("Manila", "Manila", "PHL"), ("Bangkok", "Bangkok", "THA")],
    "es": [("Madrid", "Madrid", "ESP"), ("Almería", "Almería", "ESP"), ("Barcelona", "Barcelona", "ESP"),
           ("Sevilla", "Sevilla", "ESP"), ("Tijuana", "Tijuana", "MEX"), ("Bogotá", "Bogotá", "COL")],
    "fr": [("Paris", "Paris", "FRA"), ("Marseille", "Marseille", "FRA"), ("Lyon", "Lyon", "FRA"),
           ("Calais", "Calais", "FRA"), ("Bruxelles", "Brussels", "BEL"), ("Lille", "Lille", "FRA")],
    "pt": [("São Paulo", "São Paulo", "BRA"), ("Lisboa", "Lisbon", "PRT"), ("Belém", "Belém", "BRA"),
           ("Recife", "Recife", "BRA"), ("Rio de Janeiro", "Rio de Janeiro", "BRA"), ("Porto", "Porto", "PRT")],
    "uk": [("Києві", "Kyiv", "UKR"), ("Львові", "Lviv", "UKR"), ("Одесі", "Odesa", "UKR"),
           ("Харкові", "Kharkiv", "UKR"), ("Варшаві", "Warsaw", "POL")],
    "ru": [("Москве", "Moscow", "RUS"), ("Санкт-Петербурге", "Saint Petersburg", "RUS"), ("Киеве", "Kyiv", "UKR"),
           ("Минске", "Minsk", "BLR"), ("Кишиневе", "Chisinau", "MDA")],
}

WHAT: dict[str, dict[str, str]] = {
    "en": {"forced_labour": "forced labour", "sexual_exploitation": "sexual exploitation",
           "domestic_servitude": "domestic servitude", "forced_begging": "forced begging",
           "child_exploitation": "child labour"},
    "es": {"forced_labour": "trabajos forzados", "sexual_exploitation": "explotación sexual",
           "domestic_servitude": "servidumbre doméstica", "forced_begging": "mendicidad forzada",
           "child_exploitation": "trabajo infantil"},
    "fr": {"forced_labour": "travail forcé", "sexual_exploitation": "exploitation sexuelle",
           "domestic_servitude": "servitude domestique", "forced_begging": "mendicité forcée",
           "child_exploitation": "travail des enfants"},
    "pt": {"forced_labour": "trabalho análogo à escravidão", "sexual_exploitation": "exploração sexual",
           "domestic_servitude": "servidão doméstica", "forced_begging": "mendicância forçada",
           "child_exploitation": "trabalho infantil"},
    "uk": {"forced_labour": "примусової праці", "sexual_exploitation": "сексуальної експлуатації",
           "domestic_servitude": "домашнього рабства", "forced_begging": "примусового жебрацтва",
           "child_exploitation": "дитячої праці"},
    "ru": {"forced_labour": "принудительного труда", "sexual_exploitation": "сексуальной эксплуатации",
           "domestic_servitude": "домашнего рабства", "forced_begging": "принудительного попрошайничества",
           "child_exploitation": "детского труда"},
}
SECTOR: dict[str, dict[str, str]] = {
    "en": {"agriculture": "a farm", "construction": "a construction site", "hospitality": "a restaurant",
           "manufacturing": "a garment factory", "entertainment": "a massage parlour", "fishing": "a fishing boat"},
    "es": {"agriculture": "una finca agrícola", "construction": "una obra", "hospitality": "un restaurante",
           "manufacturing": "un taller textil", "entertainment": "un club nocturno", "fishing": "un barco pesquero"},
    "fr": {"agriculture": "une exploitation agricole", "construction": "un chantier", "hospitality": "un restaurant",
           "manufacturing": "une usine textile", "entertainment": "un salon de massage", "fishing": "un bateau de pêche"},
    "pt": {"agriculture": "uma fazenda", "construction": "uma obra de construção", "hospitality": "um restaurante",
           "manufacturing": "uma oficina de confecção", "entertainment": "uma boate", "fishing": "um barco de pesca"},
    "uk": {"agriculture": "на фермі", "construction": "на будівництві", "hospitality": "у ресторані",
           "manufacturing": "на швейній фабриці", "entertainment": "у нічному клубі", "fishing": "на рибальському судні"},
    "ru": {"agriculture": "на ферме", "construction": "на стройке", "hospitality": "в ресторане",
           "manufacturing": "на швейной фабрике", "entertainment": "в ночном клубе", "fishing": "на рыболовном судне"},
}
SECTOR_OF_WHAT = {"forced_labour": ["agriculture", "construction", "hospitality", "manufacturing", "fishing"],
                  "sexual_exploitation": ["entertainment", "hospitality"], "domestic_servitude": [None],
                  "forced_begging": [None], "child_exploitation": ["agriculture", "manufacturing"]}

RELEVANT: dict[str, list[str]] = {
    "en": ["Police rescue {n} people from {what} at {sector} in {place}. Officers said the workers had their "
           "passports taken {date}.",
           "{n} suspected victims of {what} found at {sector} near {place}; the investigation began {date}.",
           "Court in {place} jails gang over {what}: {n} victims were held at {sector}, prosecutors said {date}."],
    "es": ["La policía libera a {n} personas sometidas a {what} en {sector} de {place}. Los hechos ocurrieron {date}.",
           "Detenidos en {place} por {what}: {n} víctimas trabajaban en {sector}, según la investigación iniciada {date}.",
           "Un juzgado de {place} condena a una red por {what} tras rescatar a {n} personas en {sector} {date}."],
    "fr": ["La police a libéré {n} personnes victimes de {what} dans {sector} à {place} {date}.",
           "{n} victimes de {what} découvertes dans {sector} près de {place}, selon le parquet, {date}.",
           "Un réseau de {what} démantelé à {place} : {n} personnes exploitées dans {sector} {date}."],
    "pt": ["Polícia resgata {n} pessoas em situação de {what} em {sector} de {place} {date}.",
           "Operação em {place} liberta {n} vítimas de {what} que trabalhavam em {sector}, {date}.",
           "Justiça de {place} condena grupo por {what}; {n} pessoas foram encontradas em {sector} {date}."],
    "uk": ["Поліція у {place} звільнила {n} осіб, які стали жертвами {what} {sector}. Це сталося {date}.",
           "У {place} викрили схему {what}: {n} людей утримували {sector}, повідомили {date}.",
           "Суд у {place} засудив організаторів {what}; {n} потерпілих працювали {sector} {date}."],
    "ru": ["Полиция в {place} освободила {n} человек, ставших жертвами {what} {sector}. Это произошло {date}.",
           "В {place} раскрыта схема {what}: {n} человек удерживали {sector}, сообщили {date}.",
           "Суд в {place} осудил организаторов {what}; {n} пострадавших работали {sector} {date}."],
}
HARD_NEGATIVE: dict[str, list[str]] = {
    "en": ["Police in {place} seize cocaine and arrest {n} suspects in a drug trafficking investigation {date}.",
           "Customs officers in {place} break up an arms trafficking network; {n} rifles seized {date}.",
           "Wildlife trafficking: {n} pangolin scales shipments intercepted at {place} port {date}.",
           "Traffic jam of {n} kilometres on the ring road around {place} after a crash {date}.",
           "Workers at {sector} in {place} strike for higher wages; {n} unions join the protest {date}."],
    "es": ["La policía de {place} desarticula una red de tráfico de drogas con {n} detenidos {date}.",
           "Incautan {n} fusiles en {place} en una operación contra el tráfico de armas {date}.",
           "Tráfico de especies: {n} loros rescatados en el aeropuerto de {place} {date}.",
           "Atascos de {n} kilómetros en los accesos a {place} por la operación salida {date}.",
           "Los trabajadores de {sector} en {place} convocan huelga por el convenio; {n} sindicatos la apoyan {date}."],
    "fr": ["Trafic de drogue à {place} : {n} interpellations et de la cocaïne saisie {date}.",
           "Démantèlement d'un trafic d'armes à {place}, {n} pistolets saisis {date}.",
           "Trafic d'espèces protégées : {n} tortues saisies à l'aéroport de {place} {date}.",
           "Embouteillages de {n} kilomètres autour de {place} pour les départs en vacances {date}.",
           "Grève dans {sector} à {place} : {n} syndicats réclament des hausses de salaires {date}."],
    "pt": ["Polícia de {place} prende {n} suspeitos de tráfico de drogas e apreende cocaína {date}.",
           "Operação contra o tráfico de armas apreende {n} fuzis em {place} {date}.",
           "Tráfico de animais silvestres: {n} aves resgatadas em {place} {date}.",
           "Engarrafamento de {n} quilômetros nas saídas de {place} no feriado {date}.",
           "Trabalhadores de {sector} em {place} entram em greve por reajuste; {n} sindicatos aderem {date}."],
    "uk": ["Поліція у {place} затримала {n} підозрюваних у наркоторгівлі {date}.",
           "У {place} викрили канал торгівлі зброєю, вилучено {n} автоматів {date}.",
           "Затори довжиною {n} кілометрів утворилися на в'їздах до {place} {date}.",
           "Працівники {sector} у {place} вимагають підвищення зарплати; {n} профспілок підтримали протест {date}."],
    "ru": ["Полиция в {place} задержала {n} подозреваемых в наркоторговле {date}.",
           "В {place} пресечен канал торговли оружием, изъято {n} автоматов {date}.",
           "Пробки длиной {n} километров образовались на въездах в {place} {date}.",
           "Работники {sector} в {place} требуют повышения зарплаты; {n} профсоюзов поддержали протест {date}."],
}
UNRELATED: dict[str, list[str]] = {
    "en": ["{place} hosts a food festival with {n} stalls {date}.", "Heavy rain expected in {place} {date}."],
    "es": ["{place} celebra un festival de cine con {n} películas {date}.", "Lluvias intensas previstas en {place} {date}."],
    "fr": ["{place} accueille un festival de musique avec {n} concerts {date}.", "Fortes pluies attendues à {place} {date}."],
    "pt": ["{place} recebe festival de música com {n} shows {date}.", "Chuvas fortes previstas em {place} {date}."],
    "uk": ["У {place} відкрили виставку з {n} картинами {date}.", "У {place} очікуються сильні дощі {date}."],
    "ru": ["В {place} открылась выставка из {n} картин {date}.", "В {place} ожидаются сильные дожди {date}."],
}
DATE_WORDS: dict[str, tuple[str, str]] = {  # (relative "yesterday", absolute format with {d} {m} {y})
    "en": ("yesterday", "on {d} {m} {y}"), "es": ("ayer", "el {d} de {m} de {y}"),
    "fr": ("hier", "le {d} {m} {y}"), "pt": ("ontem", "em {d} de {m} de {y}"),
    "uk": ("вчора", "{d} {m} {y} року"), "ru": ("вчера", "{d} {m} {y} года"),
}
MONTH_NAMES: dict[str, list[str]] = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"],
    "uk": ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
           "листопада", "грудня"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"],
}
SECTOR_LABOUR = {"en": "the port", "es": "el puerto", "fr": "le port", "pt": "o porto", "uk": "порту", "ru": "порта"}


def _coords(name: str, iso3: str) -> tuple[float, float]:
    hit = resolve_city(name, iso3)
    if hit is None:
        raise ValueError(f"place {name!r}: not in the gazetteer for {iso3}")
    return hit["lat"], hit["lon"]


def make_labelled_set(n: int = 600, seed: int = 0, languages: Sequence[str] = tuple(PLACES),
                      hard_negative_share: float = 0.3, unrelated_share: float = 0.1) -> pd.DataFrame:
    """Generate a labelled multilingual article set with hard negatives.

    Parameters
    ----------
    n : int
        Number of articles.
    seed : int
        Random seed (same seed, same set).
    languages : sequence of str
        Languages drawn from (en, es, fr, pt, uk, ru).
    hard_negative_share : float
        Share of hard negatives (drug / arms / wildlife trafficking, traffic, labour news).
    unrelated_share : float
        Share of unrelated news (festivals, weather).

    Returns
    -------
    pandas.DataFrame
        :data:`LABEL_COLUMNS`: ``text, language, relevant, exploitation_types`` (list),
        ``sector`` (code or None), ``place_name`` (gazetteer name), ``lat, lon``,
        ``published`` (the reference date), ``date`` (the date the text mentions),
        ``kind`` (``relevant``, ``hard_negative``, ``unrelated``), ``split``
        (``"generated"``).

    Raises
    ------
    ValueError
        For an unsupported language or a share outside [0, 1].
    """
    unknown = [lang for lang in languages if lang not in PLACES]
    if unknown:
        raise ValueError(f"languages: {unknown} not supported; choose from {sorted(PLACES)}")
    if not (0 <= hard_negative_share <= 1 and 0 <= unrelated_share <= 1 - hard_negative_share):
        raise ValueError("hard_negative_share / unrelated_share: expected shares in [0, 1] summing to at most 1")
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(int(n)):
        lang = str(rng.choice(list(languages)))
        written, canonical, iso3 = PLACES[lang][int(rng.integers(len(PLACES[lang])))]
        lat, lon = _coords(canonical, iso3)
        published = pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(rng.integers(0, 640)))
        if rng.random() < 0.4:
            mentioned, date_text = published - pd.Timedelta(days=1), DATE_WORDS[lang][0]
        else:
            mentioned = published - pd.Timedelta(days=int(rng.integers(2, 40)))
            date_text = DATE_WORDS[lang][1].format(d=mentioned.day, m=MONTH_NAMES[lang][mentioned.month - 1],
                                                   y=mentioned.year)
        roll = rng.random()
        count = int(rng.integers(2, 60))
        if roll < unrelated_share:
            kind, types, sector = "unrelated", [], None
            text = str(rng.choice(UNRELATED[lang])).format(place=written, n=count, date=date_text)
        elif roll < unrelated_share + hard_negative_share:
            kind, types, sector = "hard_negative", [], None
            template = str(rng.choice(HARD_NEGATIVE[lang]))
            sector_text = SECTOR_LABOUR[lang]
            text = template.format(place=written, n=count, date=date_text, sector=sector_text)
        else:
            kind = "relevant"
            etype = str(rng.choice(list(WHAT[lang])))
            sector = SECTOR_OF_WHAT[etype][int(rng.integers(len(SECTOR_OF_WHAT[etype])))]
            sector_text = SECTOR[lang][sector] if sector else {"en": "a private house", "es": "una casa particular",
                                                               "fr": "une maison", "pt": "uma casa",
                                                               "uk": "у приватному будинку",
                                                               "ru": "в частном доме"}[lang]
            if etype == "forced_begging":
                sector_text = {"en": "the streets", "es": "la calle", "fr": "la rue", "pt": "a rua",
                               "uk": "на вулиці", "ru": "на улице"}[lang]
            types = [etype]
            text = str(rng.choice(RELEVANT[lang])).format(place=written, n=count, what=WHAT[lang][etype],
                                                          sector=sector_text, date=date_text)
        rows.append({"text": text, "language": lang, "relevant": kind == "relevant", "exploitation_types": types,
                     "sector": sector, "place_name": canonical, "lat": lat, "lon": lon, "published": published,
                     "date": mentioned, "kind": kind, "split": "generated"})
    return pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
