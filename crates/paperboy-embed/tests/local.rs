//! The local backend on the real all-MiniLM-L6-v2, against sentence-transformers'
//! reference vectors and real arXiv abstracts.

use paperboy_testkit::model as common;

use paperboy_embed::{LocalEmbedder, LocalOptions};

#[test]
fn local_matches_reference() {
    let embedder = common::local();
    let refs = common::references();
    assert!(
        refs.iter().any(|r| r.tokens_untruncated > 256),
        "a text beyond 256 tokens"
    );
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let vectors = embedder.embed(&texts).expect("embeds");
    let mut worst = f32::MAX;
    for (r, v) in refs.iter().zip(&vectors) {
        let c = common::cosine(&r.vector, v);
        println!(
            "cosine {c:.7}  {:>3} tokens  {:.50}",
            r.tokens_untruncated, r.text
        );
        worst = worst.min(c);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "not normalised: {norm}");
    }
    println!("worst cosine {worst:.7} over {} texts", refs.len());
    assert!(worst > 0.999, "worst cosine {worst}");
    assert_eq!(embedder.dimension(), 384);
    assert_eq!(embedder.model_name(), "all-MiniLM-L6-v2");
}

#[test]
fn one_text_alone_equals_the_same_text_in_a_batch() {
    let embedder = common::local();
    let refs = common::references();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let batch = embedder.embed(&texts).expect("embeds");
    for (i, text) in texts.iter().enumerate().step_by(5) {
        let alone = embedder.embed(&[text]).expect("embeds");
        assert!(common::cosine(&alone[0], &batch[i]) > 0.99999, "{text}");
    }
    assert!(embedder.embed(&[]).expect("embeds nothing").is_empty());
}

#[test]
fn one_worker_and_small_batches_give_the_same_vectors() {
    let refs = common::references();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let options = LocalOptions {
        threads: 1,
        batch_tokens: 256,
    };
    let single = LocalEmbedder::load(&common::model_dir(), options).expect("loads");
    let a = single.embed(&texts).expect("embeds");
    let b = common::local().embed(&texts).expect("embeds");
    for (x, y) in a.iter().zip(&b) {
        assert!(common::cosine(x, y) > 0.99999);
    }
}

#[test]
fn vocab_txt_alone_tokenizes_like_tokenizer_json() {
    let model = common::model_dir();
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(&model).expect("model dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name != "tokenizer.json" {
            let to = dir.path().join(&name);
            if entry.path().is_dir() {
                std::fs::create_dir(&to).expect("mkdir");
                for f in std::fs::read_dir(entry.path()).expect("subdir") {
                    let f = f.expect("entry");
                    std::fs::copy(f.path(), to.join(f.file_name())).expect("copy");
                }
            } else {
                std::fs::copy(entry.path(), &to).expect("copy");
            }
        }
    }
    let from_vocab = LocalEmbedder::load(dir.path(), LocalOptions::default()).expect("loads");
    let refs = common::references();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let vectors = from_vocab.embed(&texts).expect("embeds");
    for (r, v) in refs.iter().zip(&vectors) {
        assert!(common::cosine(&r.vector, v) > 0.999, "{}", r.text);
    }
}

#[test]
fn a_description_finds_the_described_paper() {
    let papers = common::papers();
    assert!(papers.len() >= 150, "{} papers", papers.len());
    let embedder = common::local();
    let docs: Vec<String> = papers
        .iter()
        .map(|p| format!("{}. {}", p.title, p.summary))
        .collect();
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let vectors = embedder.embed(&docs).expect("embeds");
    // Descriptions written from the abstracts, sharing few words with the titles.
    let cases = [
        (
            "tracking a crewed moon spacecraft's radio signal with a university ground station",
            "2606.27531",
        ),
        (
            "can sequence forecasting networks predict the price of digital currencies",
            "2606.27670",
        ),
    ];
    for (query, id) in cases {
        let q = &embedder.embed(&[query]).expect("embeds")[0];
        let mut ranked: Vec<(f32, &str)> = vectors
            .iter()
            .zip(&papers)
            .map(|(v, p)| (q.iter().zip(v).map(|(a, b)| a * b).sum(), p.id.as_str()))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let rank = ranked.iter().position(|(_, pid)| *pid == id).map(|r| r + 1);
        println!(
            "{query:?} -> {id} at rank {rank:?} (top: {:?})",
            &ranked[..3]
        );
        assert!(
            rank.is_some_and(|r| r <= 3),
            "{query:?}: {id} at rank {rank:?}"
        );
    }
}

#[test]
fn a_directory_that_is_not_a_model_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = LocalEmbedder::load(dir.path(), LocalOptions::default()).expect_err("no model");
    assert!(err.to_string().contains("config.json is missing"), "{err}");
    let err =
        LocalEmbedder::load(&dir.path().join("nope"), LocalOptions::default()).expect_err("no dir");
    assert!(err.to_string().contains("paperboy model fetch"), "{err}");
}
