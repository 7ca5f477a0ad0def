//! What a key phrase must look like: a noun phrase, judged by its words' endings
//! since there is no part-of-speech tagger. Hugging Face's LLM-written keywords
//! almost never start with a word ending in "s" (0.3% of their multi-word
//! keywords, mostly "physics", "bias"), nor end with an adjective; the candidates
//! that do are fragments of sentences ("teaches multi-modal models", "models
//! trained", "highly efficient") or modifiers without their noun ("latent",
//! "multi-modal"). A lone plain word ("grid", "norm", "memory", "real-world") is
//! rarely what a reader would click either; a coined compound ("chain-of-thought",
//! "self-distillation") is.
//!
//! Only plain lower-case words are judged: names ("LoRA", "GPT-4o", "3D") pass.

/// True when a candidate phrase, its words as written, may be a key phrase by its
/// shape: a name or a coined compound alone, or words that do not lead with a
/// verb, plural or adverb and do not end with an adjective, participle or adverb.
pub fn fits(words: &[&str], is_name: bool) -> bool {
    match words {
        [] => false,
        [word] => is_name || is_compound_noun(word),
        [first, .., last] => {
            !is_verb_or_plural(first) && !is_adverb(first) && !is_modifier(last_part(last))
        }
    }
}

/// A hyphenated compound that names a thing or a process: parts joined by a small
/// word ("chain-of-thought", "plug-and-play") or ending in a noun of action or
/// quality ("fine-tuning", "self-distillation"; not "real-world", "zero-shot").
fn is_compound_noun(word: &str) -> bool {
    const JOINERS: &[&str] = &["a", "and", "as", "for", "in", "of", "the", "to"];
    const NOUN_ENDINGS: &[&str] = &[
        "ance", "ence", "ing", "ion", "ism", "ity", "ment", "ness", "ure",
    ];
    let parts: Vec<&str> = word.split('-').collect();
    let [_, inner @ .., last] = parts.as_slice() else {
        return false;
    };
    inner
        .iter()
        .any(|p| JOINERS.contains(&p.to_lowercase().as_str()))
        || plain(&last.to_lowercase())
            .is_some_and(|l| NOUN_ENDINGS.iter().any(|end| l.ends_with(end)))
}

/// The last hyphenated part of a word ("multi-modal" -> "modal").
fn last_part(word: &str) -> &str {
    word.rsplit('-').next().unwrap_or(word)
}

/// A lower-case word whose letters alone make it up.
fn plain(word: &str) -> Option<&str> {
    (!word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase())).then_some(word)
}

/// A third-person verb or a plural noun by its ending ("teaches", "models"; not
/// "physics", "bias", "loss", "analysis", "corpus").
fn is_verb_or_plural(word: &str) -> bool {
    plain(word).is_some_and(|w| {
        w.len() > 3
            && w.ends_with('s')
            && !["ss", "us", "is", "ics", "as", "os"]
                .iter()
                .any(|end| w.ends_with(end))
    })
}

/// An adverb by its ending ("jointly", "highly"; not "family", "anomaly").
fn is_adverb(word: &str) -> bool {
    const NOUNS: &[&str] = &[
        "anomaly",
        "assembly",
        "family",
        "heterophily",
        "homophily",
        "monopoly",
        "reply",
        "supply",
    ];
    plain(word).is_some_and(|w| w.len() > 4 && w.ends_with("ly") && !NOUNS.contains(&w))
}

/// An adjective, a participle or an adverb by its ending: a word that modifies a
/// noun the phrase lacks ("latent", "multi-modal", "robust", "pretrained").
fn is_modifier(word: &str) -> bool {
    /// Adjective-like words used as nouns (those that end key phrases).
    const NOUNS: &[&str] = &[
        "alternative",
        "animal",
        "archive",
        "bed",
        "capital",
        "critic",
        "detective",
        "directive",
        "feed",
        "interval",
        "journal",
        "logic",
        "manual",
        "material",
        "metric",
        "music",
        "narrative",
        "need",
        "objective",
        "perspective",
        "potential",
        "primitive",
        "proposal",
        "rebuttal",
        "refusal",
        "removal",
        "retrieval",
        "seed",
        "signal",
        "speed",
        "table",
        "terminal",
        "total",
        "traversal",
        "trial",
        "variable",
    ];
    const ENDINGS: &[&str] = &[
        "able", "al", "ible", "ic", "ive", "ous", "ful", "less", "ed", "ly",
    ];
    plain(word).is_some_and(|w| {
        w.len() > 3
            && !NOUNS.contains(&w)
            && (ENDINGS.iter().any(|end| w.ends_with(end)) || ADJECTIVES.contains(&w))
    })
}

/// Common adjectives no ending gives away.
const ADJECTIVES: &[&str] = &[
    "deep", "fine", "large", "latent", "long", "robust", "short", "small", "smart", "wide",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(phrase: &str) -> bool {
        let words: Vec<&str> = phrase.split(' ').collect();
        fits(&words, false)
    }

    /// Phrases of papers of the HF archive; the names' plain words are judged too.
    #[test]
    fn names_pass_and_their_plain_words_are_judged() {
        assert!(fits(&["GRPO"], true));
        assert!(fits(&["MMEB", "benchmark"], true));
        assert!(!fits(&["LoRAs", "trained"], true));
        assert!(!fits(&["1D", "causal"], true));
        assert!(!fits(&["GPT-4o"], false), "not a name by the caller's word");
    }

    #[test]
    fn lone_words_are_coined_compounds_or_nothing() {
        for phrase in [
            "chain-of-thought",
            "fine-tuning",
            "self-distillation",
            "Mixture-of-Experts",
        ] {
            assert!(fit(phrase), "{phrase}");
        }
        for phrase in [
            "grid",
            "norm",
            "memory",
            "reconstruction",
            "real-world",
            "zero-shot",
            "long-horizon",
            // Sometimes one of HF's keywords: the price of the rule.
            "interpretability",
        ] {
            assert!(!fit(phrase), "{phrase}");
        }
    }

    /// Phrases the extractor gave for papers of the HF archive that HF's keywords
    /// do not have.
    #[test]
    fn fragments_and_lone_modifiers_do_not_fit() {
        for phrase in [
            "teaches multi-modal models",
            "models trained",
            "latent",
            "multi-modal",
            "highly efficient",
            "jointly trained",
            "robust",
        ] {
            assert!(!fit(phrase), "{phrase}");
        }
    }

    /// Hugging Face keywords of papers of the archive.
    #[test]
    fn noun_phrases_fit() {
        for phrase in [
            "Sparse Autoencoders",
            "residual stream",
            "physics simulation",
            "bias mitigation",
            "dense retrieval",
            "reward signal",
            "family of models",
            "training objective",
            "mixture of experts",
            "pre-trained models",
        ] {
            assert!(fit(phrase), "{phrase}");
        }
    }

    #[test]
    fn nothing_is_no_phrase() {
        assert!(!fits(&[], true));
    }
}
