"""Readable code for the Text Analytics modules: Preprocess Text and Extract N-Gram Features from Text.

Preprocess Text's cleaning is written out as one ``preprocess_text`` function (the module's steps, in
its order, with its regular expressions, simplemma's sentence splitter and lemmatizer and
scikit-learn's stop words); the section calls it with the node's options. The n-gram features are
scikit-learn's ``CountVectorizer`` counts weighted as the module weighs them.
"""

from __future__ import annotations

import re

from designer.engine.codegen.node_code import Emitter, NodeCode, NodeSpec
from modules.library.text_analytics import preprocess_text as preprocess_module

from ._tables import NUMPY, PANDAS, input_roles, literal, meta_of, regex_literal

_UNIQUE_NAMES = '''\
def unique_names(names, taken):
    """Each name, or name_1, name_2... when the table (or an earlier name) already has it."""
    used = set(taken)
    out = []
    for name in names:
        fresh, i = name, 0
        while fresh in used:
            i += 1
            fresh = f"{name}_{i}"
        used.add(fresh)
        out.append(fresh)
    return out
'''

_TEXTS = '''\
def texts(series):
    """A text column's cells as Python strings; a missing cell as None."""
    return [None if pd.isna(v) else str(v) for v in series.astype(object)]
'''


def _compiled(name: str) -> str:
    pattern: re.Pattern[str] = getattr(preprocess_module, name)
    flags = [f"re.{flag}" for flag in ("IGNORECASE", "DOTALL") if pattern.flags & getattr(re, flag)]
    return f"TEXT_{name} = re.compile({regex_literal(pattern.pattern)}{', ' if flags else ''}{' | '.join(flags)})"


def _preprocess_helper() -> str:
    """The module's cleaning as one function; its constants read from the module, so the two cannot drift."""
    m = preprocess_module
    constants = "\n".join(_compiled(n) for n in ("URL", "EMAIL", "TOKEN", "NUMBER", "PIECE", "SPECIAL", "REPEATS"))
    return f'''\
# Preprocess Text's patterns: URLs, e-mail addresses, tokens (words with inner hyphens, apostrophes, dots...,
# numbers, single marks), numbers, pieces of a token, special characters, a character repeated 3+ times
{constants}
TEXT_IRREGULAR = {literal(m.IRREGULAR, 0)}
# "'s" after these is "is"; elsewhere it is a possessive and stays
TEXT_IS_CONTRACTIONS = {literal(m.IS_CONTRACTIONS, 0)}
TEXT_SUFFIXES = {literal(m.SUFFIXES, 0)}
TEXT_CONTRACTION = re.compile(
    r"\\b(?:" + "|".join(re.escape(w).replace("'", "['’]") for w in TEXT_IRREGULAR) + r")(?!\\w)"
    r"|\\b(?:" + "|".join(TEXT_IS_CONTRACTIONS) + r")['’]s(?!\\w)"
    r"|\\b\\w+?(?:n['’]t|['’](?:re|ve|ll|d|m))(?!\\w)",
    re.IGNORECASE,
)


def expand_contractions(text):
    """Verb contractions written out ("don't" -> "do not", "it's" -> "it is"); the first letter keeps its case."""

    def full(match):
        word = match.group(0)
        key = word.lower().replace("’", "'")
        if key in TEXT_IRREGULAR:
            expanded = TEXT_IRREGULAR[key]
        elif key.endswith("'s"):
            expanded = key[:-2] + " is"
        else:
            suffix = next(s for s in TEXT_SUFFIXES if key.endswith(s))
            expanded = key[: -len(suffix)] + TEXT_SUFFIXES[suffix]
        if word[0].isupper():
            expanded = expanded[0].upper() + expanded[1:]
        return word[0] + expanded[1:] if word[0].lower() == expanded[0].lower() else expanded

    return TEXT_CONTRACTION.sub(full, text)


def preprocess_text(
    text,
    custom_expression=None,
    custom_replacement="",
    remove_urls=True,
    remove_email_addresses=True,
    normalize_backslashes=True,
    expand_verb_contractions=True,
    detect_sentences=True,
    split_on_special_characters=True,
    lowercase=True,
    remove_numbers=True,
    remove_special_characters=True,
    remove_duplicate_characters=True,
    remove_stop_words=True,
    lemmatize_words=True,
):
    """One text cleaned as Preprocess Text cleans it: space-separated tokens, sentences joined by " ||| "."""
    if custom_expression:
        text = re.sub(custom_expression, custom_replacement, text)
    if remove_urls:
        text = TEXT_URL.sub(" ", text)
    if remove_email_addresses:
        text = TEXT_EMAIL.sub(" ", text)
    if normalize_backslashes:
        text = text.replace("\\\\", "/")
    if expand_verb_contractions:
        text = expand_contractions(text)
    cleaned = []
    for sentence in split_sentences(text, lang="en") if detect_sentences else [text]:
        tokens = TEXT_TOKEN.findall(sentence)
        if split_on_special_characters:  # "state-of-the-art" -> 4 tokens; a number such as 3.5 stays whole
            tokens = [p for t in tokens for p in ([t] if TEXT_NUMBER.fullmatch(t) else TEXT_PIECE.findall(t))]
        kept = []
        for token in tokens:
            if lowercase:
                token = token.lower()
            if remove_numbers and TEXT_NUMBER.fullmatch(token):
                continue
            if remove_special_characters and not TEXT_NUMBER.fullmatch(token):
                token = TEXT_SPECIAL.sub("", token)
            if remove_duplicate_characters:
                token = TEXT_REPEATS.sub(r"\\1\\1", token)
            if not token or (remove_stop_words and token.lower() in ENGLISH_STOP_WORDS):
                continue
            kept.append(lemmatize(token, lang="en") if lemmatize_words else token)
        cleaned.append(" ".join(kept))
    return " ||| ".join(s for s in cleaned if s)
'''


#: Parameter of the module -> keyword of ``preprocess_text``.
_OPTIONS = {
    "remove_urls": "remove_urls",
    "remove_email_addresses": "remove_email_addresses",
    "normalize_backslashes_to_slashes": "normalize_backslashes",
    "expand_verb_contractions": "expand_verb_contractions",
    "detect_sentences": "detect_sentences",
    "split_tokens_on_special_characters": "split_on_special_characters",
    "normalize_case_to_lowercase": "lowercase",
    "remove_numbers": "remove_numbers",
    "remove_special_characters": "remove_special_characters",
    "remove_duplicate_characters": "remove_duplicate_characters",
    "remove_stop_words": "remove_stop_words",
    "use_lemmatization": "lemmatize_words",
}


def preprocess_text(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df, out = spec.inputs["dataset"], spec.outputs["results_dataset"]
    column = p["text_column"]
    if p["custom_regular_expression"]:
        try:
            re.compile(p["custom_regular_expression"]).sub(p["custom_replacement_string"], "")
        except (re.error, IndexError):
            return None  # the module reports the bad replacement; no readable code for a failing node
    options = [f"{keyword}=False" for param, keyword in _OPTIONS.items() if not p[param]]
    if p["custom_regular_expression"]:
        options[:0] = [
            f"custom_expression={regex_literal(p['custom_regular_expression'])}",
            f"custom_replacement={literal(p['custom_replacement_string'])}",
        ]
    call = "preprocess_text(text" + "".join(f", {o}" for o in options) + ")"
    lines = [
        "# the cleaned text goes to a new column after the others; a missing text stays missing",
        f"[cleaned_name] = unique_names([{literal('Preprocessed ' + column)}], {df}.columns)",
        f"cleaned = [None if text is None else {call}",
        f"           for text in texts({df}[{literal(column)}])]",
        f'{out} = {df}.assign(**{{cleaned_name: pd.Series(cleaned, index={df}.index, dtype="str")}})',
    ]
    imports = (
        PANDAS,
        "import re",
        "from simplemma import lemmatize, split_sentences",
        "from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS",
    )
    roles = input_roles(spec, "dataset")
    return NodeCode(
        "\n".join(lines), imports, (_UNIQUE_NAMES, _TEXTS, _preprocess_helper()), meta_of(roles, "results_dataset")
    )


# -- Extract N-Gram Features from Text ---------------------------------------------------------------------

_WEIGHTS = {
    "Binary Weight": ("1 when the row holds the n-gram", '(tf > 0).astype("float64")'),
    "TF Weight": ("how many times the row holds the n-gram", "tf"),
    "IDF Weight": (
        "the n-gram's IDF, ln(rows / DF), when the row holds it",
        "np.where(tf > 0, idf[np.newaxis, :], 0.0)",
    ),
    "TF-IDF Weight": ("count x IDF, with IDF = ln(rows / DF) (no +1 as scikit-learn adds)", "tf * idf[np.newaxis, :]"),
}


def extract_n_gram_features_from_text(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df, out, vocabulary = spec.inputs["dataset"], spec.outputs["results_dataset"], spec.outputs["result_vocabulary"]
    column = p["text_column"]
    if p["vocabulary_mode"] != "Create":
        return None  # ReadOnly: the input vocabulary's checks and repairs stay in the module
    low, high, n = p["minimum_word_length"], p["maximum_word_length"], p["n_grams_size"]
    what, formula = _WEIGHTS[p["weighting_function"]]
    lines = [
        f"# words of {low} to {high} letters, digits or underscores, lowercased; "
        + ("single words" if n == 1 else f"n-grams of 1 to {n} words"),
        f'documents = [text or "" for text in texts({df}[{literal(column)}])]',
        "vectorizer = CountVectorizer(",
        f'    token_pattern=r"(?u)\\b\\w{{{low},{high}}}\\b",',
        f"    ngram_range=(1, {n}),",
        f"    min_df={p['minimum_n_gram_document_absolute_frequency']},  # rows that must hold an n-gram",
        f"    max_df={p['maximum_n_gram_document_ratio']!r},  # the largest share of rows that may hold it",
        "    dtype=np.int64,",
        ")",
        "counts = vectorizer.fit_transform(documents)",
        "ngrams = [str(g) for g in vectorizer.get_feature_names_out()]",
        'held_by = np.asarray((counts > 0).sum(axis=0)).ravel().astype("int64")',
        "idf = np.log(len(documents) / held_by)",
        f"{vocabulary} = pd.DataFrame(",
        "    {",
        '        "Id": np.arange(len(ngrams), dtype="int64"),',
        '        "NGram": pd.Series(ngrams, dtype="str"),',
        '        "DF": held_by,',
        '        "IDF": idf,',
        "    }",
        ")",
        f"# one column per n-gram: {what}",
        'tf = np.asarray(counts.toarray(), dtype="float64")',
        f"weights = {formula}",
    ]
    if p["normalize_n_gram_feature_vectors"]:
        lines += [
            "norms = np.sqrt((weights**2).sum(axis=1, keepdims=True))  # each row divided by its L2 norm",
            "weights = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)",
        ]
    lines += [
        f"taken = [str(c) for c in {df}.columns]",
        f'names = unique_names([{literal(column + ".[")} + g + "]" for g in ngrams], taken)',
        "features = dict(zip(names, weights.T))",
    ]
    if p["detect_out_of_vocabulary_rows"]:
        lines += [
            "# true for a row holding an n-gram (of these sizes and word lengths) the vocabulary lacks",
            "analyzer, known = vectorizer.build_analyzer(), set(ngrams)",
            f"[oov_name] = unique_names([{literal(column + '.[OOV]')}], taken + names)",
            "features[oov_name] = np.array([any(g not in known for g in analyzer(d)) for d in documents], dtype=bool)",
        ]
    lines.append(f"{out} = pd.concat([{df}, pd.DataFrame(features, index={df}.index)], axis=1)")
    imports = (NUMPY, PANDAS, "from sklearn.feature_extraction.text import CountVectorizer")
    roles = input_roles(spec, "dataset")
    return NodeCode("\n".join(lines), imports, (_UNIQUE_NAMES, _TEXTS), meta_of(roles, "results_dataset"))


EMITTERS: dict[str, Emitter] = {
    "preprocess_text": preprocess_text,
    "extract_n_gram_features_from_text": extract_n_gram_features_from_text,
}
