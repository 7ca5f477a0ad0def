//! The `local` backend: a sentence-transformers BERT model run in-process with candle.
//!
//! Throughput comes from the batching here: texts are tokenised, sorted by length and
//! cut into batches of similar lengths (padding wastes little), and the batches are
//! spread over one worker per core, each running its batch single-threaded (small
//! matrix products scale badly across threads; whole batches do not). A single short
//! batch, such as one search query, runs on one worker too: its matrix products are
//! too small to share, and handing them to every core only adds waiting (and
//! competes with the rest of a search). A single long batch runs on all cores.

mod bert;
mod config;
mod kernels;
mod linear;
mod tokenize;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use candle_core::{Device, Tensor};

use self::bert::{Bert, mean_pool_normalised};
use self::config::ModelConfig;
use self::tokenize::TextTokenizer;
use crate::error::{EmbedError, Result};

/// How the local backend spends the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalOptions {
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
    /// Most tokens (padding included) in one batch.
    pub batch_tokens: usize,
}

impl Default for LocalOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            batch_tokens: 4096,
        }
    }
}

/// A sentence-embedding model loaded from a directory.
pub struct LocalEmbedder {
    name: String,
    tokenizer: TextTokenizer,
    bert: Bert,
    batch_tokens: usize,
    /// One single-threaded pool per worker.
    workers: Vec<rayon::ThreadPool>,
    /// The worker the next short single batch runs on (round robin).
    next_worker: AtomicUsize,
}

impl std::fmt::Debug for LocalEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEmbedder")
            .field("name", &self.name)
            .field("dimension", &self.dimension())
            .field("workers", &self.workers.len())
            .finish()
    }
}

/// Most tokens (padding included) of a single batch that runs on one worker.
const SHORT_BATCH_TOKENS: usize = 128;

impl LocalEmbedder {
    /// Loads the model in `dir` (the sentence-transformers layout: `config.json`,
    /// `model.safetensors`, `tokenizer.json` or `vocab.txt`, optionally
    /// `sentence_bert_config.json` and `1_Pooling/config.json`).
    pub fn load(dir: &Path, options: LocalOptions) -> Result<Self> {
        if !dir.is_dir() {
            return Err(EmbedError::model(
                dir,
                "no such directory; run `paperboy model fetch` or point embedder = local:DIR at a model",
            ));
        }
        let config = ModelConfig::read(dir)?;
        let tokenizer = TextTokenizer::load(dir, config.max_seq_length)?;
        let bert = Bert::load(dir, &config.bert)?;
        let threads = match options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let workers = (0..threads)
            .map(|i| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("embed-{i}"))
                    .build()
                    .map_err(|e| EmbedError::model(dir, format!("cannot start a worker: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        Ok(Self {
            name,
            tokenizer,
            bert,
            batch_tokens: options.batch_tokens.max(config.max_seq_length),
            workers,
            next_worker: AtomicUsize::new(0),
        })
    }

    /// The model's name: its directory's name, such as `all-MiniLM-L6-v2`.
    pub fn model_name(&self) -> &str {
        &self.name
    }

    /// The length of every vector.
    pub fn dimension(&self) -> usize {
        self.bert.hidden_size()
    }

    /// Embeds `texts`: one L2-normalised vector per text, in order. Blocks; call it
    /// from a blocking thread in async code.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let ids = self.tokenizer.encode(texts)?;
        let batches = plan_batches(&ids, self.batch_tokens);
        let mut vectors = vec![Vec::new(); texts.len()];
        if let [batch] = batches.as_slice()
            && batch.len() * ids[batch[0]].len() <= SHORT_BATCH_TOKENS
            && !self.workers.is_empty()
        {
            let worker = self.next_worker.fetch_add(1, Ordering::Relaxed) % self.workers.len();
            for (i, v) in batch
                .iter()
                .zip(self.workers[worker].install(|| self.run(batch, &ids))?)
            {
                vectors[*i] = v;
            }
            return Ok(vectors);
        }
        if batches.len() == 1 || self.workers.len() == 1 {
            for batch in &batches {
                for (i, v) in batch.iter().zip(self.run(batch, &ids)?) {
                    vectors[*i] = v;
                }
            }
            return Ok(vectors);
        }
        let next = AtomicUsize::new(0);
        let done = Mutex::new(Vec::with_capacity(batches.len()));
        std::thread::scope(|scope| {
            for pool in &self.workers {
                scope.spawn(|| {
                    pool.install(|| {
                        while let Some(batch) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                            let result = self.run(batch, &ids);
                            let failed = result.is_err();
                            if let Ok(mut done) = done.lock() {
                                done.push((batch, result));
                            }
                            if failed {
                                next.store(batches.len(), Ordering::Relaxed);
                            }
                        }
                    })
                });
            }
        });
        let done = done
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (batch, result) in done {
            for (i, v) in batch.iter().zip(result?) {
                vectors[*i] = v;
            }
        }
        Ok(vectors)
    }

    /// Embeds the texts with indices `batch` (sorted longest first).
    fn run(&self, batch: &[usize], ids: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        let seq = batch.first().map_or(0, |&i| ids[i].len());
        let lens: Vec<usize> = batch.iter().map(|&i| ids[i].len()).collect();
        let mut padded = vec![0u32; batch.len() * seq];
        for (row, &i) in padded.chunks_exact_mut(seq.max(1)).zip(batch) {
            row[..ids[i].len()].copy_from_slice(&ids[i]);
        }
        let input = Tensor::from_vec(padded, (batch.len(), seq), &Device::Cpu)?;
        let hidden = self.bert.forward(&input, &lens)?;
        Ok(mean_pool_normalised(&hidden, seq, &lens)?)
    }
}

/// Checks that `dir` holds a model whose settings and tokenizer load (without loading
/// the weights).
pub(crate) fn check_model_dir(dir: &Path) -> Result<()> {
    let config = ModelConfig::read(dir)?;
    TextTokenizer::load(dir, config.max_seq_length).map(|_| ())
}

/// Groups text indices into batches: longest first, each batch at most `max_tokens`
/// tokens once padded to its longest member.
fn plan_batches(ids: &[Vec<u32>], max_tokens: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match batches.last_mut() {
            Some(batch) if (batch.len() + 1) * ids[batch[0]].len() <= max_tokens => batch.push(i),
            _ => batches.push(vec![i]),
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_sorted_and_within_budget() {
        let ids: Vec<Vec<u32>> = [3, 9, 1, 9, 4, 2, 7].iter().map(|&n| vec![0; n]).collect();
        let batches = plan_batches(&ids, 18);
        assert_eq!(batches, vec![vec![1, 3], vec![6, 4], vec![0, 5, 2]]);
        assert!(plan_batches(&[], 18).is_empty());
    }
}
