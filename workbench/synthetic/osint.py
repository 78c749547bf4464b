"""Synthetic article dumps from a media monitor, with syndicated copies (demo data).

:func:`write_article_dump` writes two dumps of news articles in en/es/fr/pt/uk/ru:
``media_dump_1.jsonl`` (articles up to a cut-off day) and ``media_dump_2.csv`` (the
days after it). Most stories are re-published by several outlets with small edits (a
headline prefix, a body cut short, the outlet's boilerplate), one planted story by 40
outlets across the cut-off, so near-duplicate clustering has real work within a dump
and across the two. Some articles are not about trafficking, a few are broken, and a
few headlines name a (fictional) victim, which must never reach the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.synthetic.demo import WORLD
from workbench.places.gazetteer import country_name

LANGS = ("en", "es", "fr", "pt", "uk", "ru")
WHAT = {
    "en": {"forced_labour": "forced labour", "sexual_exploitation": "sexual exploitation",
           "domestic_servitude": "domestic servitude"},
    "es": {"forced_labour": "trabajo forzoso", "sexual_exploitation": "explotación sexual",
           "domestic_servitude": "servidumbre doméstica"},
    "fr": {"forced_labour": "travail forcé", "sexual_exploitation": "exploitation sexuelle",
           "domestic_servitude": "servitude domestique"},
    "pt": {"forced_labour": "trabalho escravo", "sexual_exploitation": "exploração sexual",
           "domestic_servitude": "servidão doméstica"},
    "uk": {"forced_labour": "примусова праця", "sexual_exploitation": "сексуальна експлуатація",
           "domestic_servitude": "домашнє рабство"},
    "ru": {"forced_labour": "принудительный труд", "sexual_exploitation": "сексуальная эксплуатация",
           "domestic_servitude": "домашнее рабство"},
}
TITLES = {
    "en": ["Police free {n} victims of {what} in {place}", "{n} people rescued from {what} near {place}",
           "Human trafficking ring linked to {what} broken up in {place}"],
    "es": ["Liberan a {n} víctimas de {what} en {place}", "Desarticulada una red de trata de personas en {place}"],
    "fr": ["{n} victimes de {what} libérées à {place}", "Un réseau de traite des êtres humains démantelé à {place}"],
    "pt": ["Polícia resgata {n} vítimas de {what} em {place}", "Rede de tráfico de pessoas desmantelada em {place}"],
    "uk": ["Поліція звільнила {n} жертв: {what} у місті {place}", "Торгівля людьми: викрито мережу у місті {place}"],
    "ru": ["Полиция освободила {n} жертв: {what} в городе {place}", "Торговля людьми: раскрыта сеть в городе {place}"],
}
#: Body sentences; {code} is a story's own operation name, {k} and {m} its own numbers.
SENTENCES = {
    "en": ["Officers in {place}, {country}, said {n} people had been held in conditions of {what}.",
           "The investigation, known as operation {code}, began {m} weeks ago after a tip from a neighbour.",
           "In {place} passports were confiscated and wages withheld for {m} months, the {code} prosecutor said.",
           "{k} suspects were arrested at {m} addresses around {place} and will appear in court.",
           "Operation {code} also found debts of up to {k} thousand euros imposed on the {n} workers.",
           "Support groups in {country} said the {n} survivors of operation {code} are receiving shelter.",
           "Officials promised {k} more labour inspections in {place} after operation {code}."],
    "es": ["Agentes en {place}, {country}, informaron que {n} personas vivían en condiciones de {what}.",
           "La investigación, llamada operación {code}, comenzó hace {m} semanas tras una denuncia.",
           "En {place} les quitaron el pasaporte y no les pagaron durante {m} meses, según la fiscalía de {code}.",
           "{k} sospechosos fueron detenidos en {m} domicilios de {place} y pasarán a disposición judicial.",
           "La operación {code} descubrió deudas de hasta {k} mil euros impuestas a las {n} víctimas.",
           "Organizaciones de {country} ofrecen refugio a las {n} personas liberadas en la operación {code}."],
    "fr": ["Les enquêteurs de {place}, {country}, ont indiqué que {n} personnes subissaient un {what}.",
           "L'enquête, baptisée opération {code}, a commencé il y a {m} semaines après un signalement.",
           "À {place}, leurs passeports étaient confisqués depuis {m} mois, selon le parquet de l'affaire {code}.",
           "{k} suspects ont été interpellés à {m} adresses de {place} et seront présentés à un juge.",
           "L'opération {code} a révélé des dettes allant jusqu'à {k} mille euros pour les {n} victimes.",
           "Des associations de {country} hébergent les {n} victimes de l'opération {code}."],
    "pt": ["Agentes em {place}, {country}, disseram que {n} pessoas viviam em situação de {what}.",
           "A investigação, chamada operação {code}, começou há {m} semanas após uma denúncia.",
           "Em {place} os passaportes ficaram retidos por {m} meses, segundo o Ministério Público no caso {code}.",
           "{k} suspeitos foram presos em {m} endereços de {place} e serão ouvidos pela justiça.",
           "A operação {code} encontrou dívidas de até {k} mil reais impostas às {n} vítimas.",
           "Organizações de {country} oferecem abrigo às {n} pessoas resgatadas na operação {code}."],
    "uk": ["Поліція у місті {place} ({country}) повідомила, що {n} людей утримували: {what}.",
           "Розслідування під назвою операція {code} почалося {m} тижнів тому після повідомлення.",
           "У місті {place} людям {m} місяців не платили зарплату, повідомили у прокуратурі у справі {code}.",
           "{k} підозрюваних затримали за {m} адресами у місті {place}, їм повідомлено про підозру.",
           "Операція {code} виявила борги до {k} тисяч гривень, нав'язані {n} потерпілим.",
           "Громадські організації ({country}) надають житло {n} потерпілим в операції {code}."],
    "ru": ["Полиция в городе {place} ({country}) сообщила, что {n} человек удерживали: {what}.",
           "Расследование под названием операция {code} началось {m} недель назад после сообщения.",
           "В городе {place} людям {m} месяцев не платили зарплату, сообщили в прокуратуре по делу {code}.",
           "{k} подозреваемых задержаны по {m} адресам в городе {place}, им предъявлены обвинения.",
           "Операция {code} выявила долги до {k} тысяч рублей, навязанные {n} пострадавшим.",
           "Общественные организации ({country}) предоставляют жильё {n} пострадавшим по делу {code}."],
}
NAMED = {  # headlines that name a victim (fictional names): must be scrubbed before storage
    "en": "Victim named as {name} after raid in {place}",
    "es": "La víctima, {name}, rescatada en {place}",
    "fr": "La victime, {name}, libérée à {place}",
}
NAMES = ["Maria Lopez", "Ana Petrova", "Joy Okafor", "Elena Ruiz", "Amina Diallo", "Lucia Ferreira"]
IRRELEVANT = {
    "en": ("New bridge opens in {place}", "The city of {place} opened its new bridge after {m} years of work."),
    "es": ("Nuevo puente en {place}", "La ciudad de {place} inauguró su nuevo puente tras {m} años de obras."),
    "fr": ("Un nouveau pont à {place}", "La ville de {place} a inauguré son pont après {m} ans de travaux."),
    "pt": ("Nova ponte em {place}", "A cidade de {place} inaugurou a nova ponte após {m} anos de obras."),
    "uk": ("Новий міст у місті {place}", "Місто {place} відкрило новий міст після {m} років робіт."),
    "ru": ("Новый мост в городе {place}", "Город {place} открыл новый мост после {m} лет работ."),
}
PREFIX = {"en": ["UPDATE: ", "Exclusive: ", "WATCH: ", ""], "es": ["ÚLTIMA HORA: ", "Exclusiva: ", ""],
          "fr": ["DIRECT: ", "Info: ", ""], "pt": ["URGENTE: ", "Exclusivo: ", ""],
          "uk": ["НОВИНИ: ", "Ексклюзив: ", ""], "ru": ["СРОЧНО: ", "Эксклюзив: ", ""]}
BOILERPLATE = {"en": "Follow {outlet} for more news.", "es": "Síguenos en {outlet} para más noticias.",
               "fr": "Retrouvez {outlet} pour plus d'infos.", "pt": "Acompanhe o {outlet} para mais notícias.",
               "uk": "Читайте {outlet} для інших новин.", "ru": "Читайте {outlet} для других новостей."}
CODE_WORDS = ["Amber", "Falcon", "Harbour", "Juniper", "Lantern", "Meridian", "Orchid", "Pilgrim", "Quartz",
              "Saffron", "Tundra", "Willow", "Cobalt", "Delta", "Ember", "Granite", "Ivory", "Kestrel"]
OUTLET_A = ["Daily", "Evening", "Coastal", "Northern", "Metro", "Valley", "Capital", "Harbour", "Free"]
OUTLET_B = ["Courier", "Herald", "Post", "Gazette", "Observer", "Chronicle", "Tribune", "Wire", "Mirror"]
BIG_STORY_OUTLETS = 40


def _story_text(rng: np.random.Generator, lang: str, inc: Any, place: str) -> tuple[str, str]:
    etype = inc.exploitation_type if inc.exploitation_type in WHAT[lang] else "forced_labour"
    fill = {"n": int(inc.victim_count) if not pd.isna(inc.victim_count) else int(rng.integers(2, 30)),
            "what": WHAT[lang][etype], "place": place, "country": country_name(inc.country_iso3),
            "code": " ".join(rng.choice(CODE_WORDS, 2, replace=False)), "k": int(rng.integers(2, 60)),
            "m": int(rng.integers(2, 40))}
    title = str(rng.choice(TITLES[lang])).format(**fill)
    pool = SENTENCES[lang]
    first, rest = pool[0], list(rng.choice(pool[1:], size=min(4, len(pool) - 1), replace=False))
    return title, " ".join(s.format(**fill) for s in [first, *rest])


def _copy(rng: np.random.Generator, lang: str, title: str, body: str, outlet: str) -> tuple[str, str]:
    words = body.split()
    keep = max(12, int(len(words) * rng.uniform(0.75, 1.0)))
    return (str(rng.choice(PREFIX[lang])) + title,
            " ".join(words[:keep]) + " " + BOILERPLATE[lang].format(outlet=outlet))


def write_article_dump(world: pd.DataFrame, out_dir: Path, seed: int) -> dict[str, Any]:
    """Write two article dumps with syndicated copies (JSON lines, then CSV).

    Parameters
    ----------
    world : pandas.DataFrame
        True incidents (:func:`workbench.synthetic.demo.simulate_incidents`); stories are drawn
        from its last 120 days.
    out_dir : Path
        Folder for ``media_dump_1.jsonl`` and ``media_dump_2.csv``.
    seed : int
        Random seed.

    Returns
    -------
    dict
        Ground truth: files and record counts, ``stories`` (story id per relevant
        article id), the planted big story and its outlets, the cut-off, the broken
        records and the victim names planted in headlines.
    """
    rng = np.random.default_rng(seed + 404)
    out_dir = Path(out_dir)
    outlets = [f"{a} {b}" for a in OUTLET_A for b in OUTLET_B]
    recent = world[world["occurred_on"] >= world["occurred_on"].max() - pd.Timedelta(days=120)]
    sample = recent.sample(n=min(100, len(recent)), random_state=int(rng.integers(0, 2**31)))
    end = pd.Timestamp(world["occurred_on"].max()).normalize()
    cutoff = end - pd.Timedelta(days=40)
    articles, stories, names = [], {}, []
    for s, inc in enumerate(sample.itertuples(index=False)):
        lang = "en" if s == 0 else str(rng.choice(LANGS))
        place = inc.place if inc.place in WORLD[inc.country_iso3][0] else WORLD[inc.country_iso3][0][0]
        title, body = _story_text(rng, lang, inc, place)
        if s == 0:  # the planted big story, straddling the cut-off
            start, copies = cutoff - pd.Timedelta(days=2), BIG_STORY_OUTLETS
        else:
            start, copies = pd.Timestamp(inc.occurred_on) + pd.Timedelta(days=int(rng.integers(0, 8))), \
                int(min(8, rng.geometric(0.45)))
        if s % 15 == 7 and lang in NAMED:  # a headline naming a victim
            name = NAMES[len(names) % len(NAMES)]
            names.append(name)
            title = NAMED[lang].format(name=name, place=place)
        chosen = rng.choice(len(outlets), size=copies, replace=False)
        for c, o in enumerate(chosen):
            outlet = outlets[o]
            t, b = (title, body) if c == 0 else _copy(rng, lang, title, body, outlet)
            when = start + pd.Timedelta(hours=int(rng.integers(6, 20)) + (0 if c == 0 else int(rng.integers(1, 120))))
            aid = f"art-{len(articles):05d}"
            stories[aid] = f"story-{s:03d}"
            articles.append({"id": aid, "url": f"https://{outlet.lower().replace(' ', '')}.example.net/{aid}",
                             "outlet": outlet, "published": when, "language": lang, "title": t, "body": b})
    for i in range(int(len(articles) * 0.2)):  # news that is not about trafficking
        lang = str(rng.choice(LANGS))
        inc = sample.iloc[int(rng.integers(0, len(sample)))]
        place = WORLD[inc.country_iso3][0][0]
        t, b = IRRELEVANT[lang]
        outlet = outlets[int(rng.integers(0, len(outlets)))]
        aid = f"art-{len(articles):05d}"
        articles.append({"id": aid, "url": f"https://{outlet.lower().replace(' ', '')}.example.net/{aid}",
                         "outlet": outlet, "published": pd.Timestamp(inc.occurred_on) + pd.Timedelta(hours=10),
                         "language": lang, "title": t.format(place=place),
                         "body": b.format(place=place, m=int(rng.integers(2, 9)))})
    frame = pd.DataFrame(articles).sort_values(["published", "id"]).reset_index(drop=True)
    early = (pd.to_datetime(frame["published"]) <= cutoff).to_numpy()
    frame["published"] = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in frame["published"]]
    first, second = frame[early], frame[~early]
    lines = [json.dumps(r, ensure_ascii=False) for r in first.to_dict("records")]
    lines.insert(len(lines) // 2, '{"id": "art-broken-1", "title": "cut off')  # bad JSON
    # no id and no link: unreadable (a relevant item without an exploitation type is stored, not broken)
    lines.insert(len(lines) // 3, json.dumps({"published": "2026-01-01T00:00:00Z",
                                              "title": "Trafficking ring", "body": "no id"}))
    (out_dir / "media_dump_1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = pd.DataFrame([
        {"id": "art-broken-2", "url": "https://x.example.net/2", "outlet": "Metro Post", "published": "yesterday",
         "language": "en", "title": "Human trafficking ring broken up", "body": "Police said."},
        {"id": "art-broken-3", "url": "https://x.example.net/3", "outlet": "Metro Post",
         "published": "2026-10-01T10:00:00Z", "language": "en", "title": "", "body": ""},
    ])
    pd.concat([second, bad], ignore_index=True).to_csv(out_dir / "media_dump_2.csv", index=False, encoding="utf-8")
    relevant_ids = set(stories)
    return {
        "files": {"media_dump_1.jsonl": len(first) + 2, "media_dump_2.csv": len(second) + 2},
        "articles": int(len(frame)),
        "relevant_articles": len(relevant_ids),
        "stories": stories,
        "n_stories": len(set(stories.values())),
        "big_story": {"story": "story-000", "outlets": BIG_STORY_OUTLETS},
        "cutoff": cutoff.isoformat(),
        "broken_records": 4,
        "victim_names": names,
    }
