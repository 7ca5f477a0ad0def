//! [`SearchPool`]: the threads that search runs on.
//!
//! Keyword search, the vector scan, highlighting and index writes are CPU work. Run
//! on the async runtime's threads, a few expensive searches would hold every one of
//! them and stall pages that need no search at all. So they run here: a fixed set of
//! threads (started once, none per query) fed by a bounded queue. Work waits for a
//! place in the queue without holding a runtime thread, and a caller that waits too
//! long gets [`SearchError::Busy`] (503) instead of a hung request.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};

use crate::{Result, SearchError};

type Task = Box<dyn FnOnce() + Send>;

/// A fixed pool of search threads with a bounded queue.
#[derive(Clone)]
pub struct SearchPool {
    queue: SyncSender<Task>,
    places: Arc<Semaphore>,
    wait: Duration,
}

impl std::fmt::Debug for SearchPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchPool")
            .field("free_places", &self.places.available_permits())
            .finish_non_exhaustive()
    }
}

impl SearchPool {
    /// `threads` threads, at most `queue` tasks queued or running, callers waiting
    /// at most `wait` for a place.
    pub fn new(threads: usize, queue: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let queue = queue.max(threads);
        let (sender, receiver) = sync_channel::<Task>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("paperboy-search-{n}"))
                .spawn(move || work(&receiver));
            if let Err(e) = spawned {
                tracing::error!("cannot start search thread {n}: {e}");
            }
        }
        Self {
            queue: sender,
            places: Arc::new(Semaphore::new(queue)),
            wait,
        }
    }

    /// A pool with a thread per core, a queue of 64 and a 10 s wait: what a server
    /// uses.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores, 64, Duration::from_secs(10))
    }

    /// Runs `task` on a search thread and returns its result.
    pub async fn run<T: Send + 'static>(
        &self,
        task: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let place = tokio::time::timeout(self.wait, self.places.clone().acquire_owned())
            .await
            .map_err(|_| SearchError::Busy)?
            .map_err(|_| SearchError::Busy)?;
        let (done, result) = oneshot::channel();
        let task: Task = Box::new(move || {
            let _place = place;
            let _ = done.send(task());
        });
        // The semaphore keeps the queue from filling: this never blocks.
        self.queue
            .try_send(task)
            .map_err(|_| SearchError::Worker("the search threads are gone".into()))?;
        result
            .await
            .map_err(|_| SearchError::Worker("a search task panicked".into()))
    }
}

fn work(receiver: &Mutex<Receiver<Task>>) {
    loop {
        let task = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match task {
            // A panicking task drops its sender; the caller sees the error, and
            // this thread goes on.
            Ok(task) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn tasks_run_on_the_pool_threads() {
        let pool = SearchPool::new(2, 4, Duration::from_secs(1));
        let name = pool
            .run(|| std::thread::current().name().unwrap_or_default().to_owned())
            .await
            .unwrap();
        assert!(name.starts_with("paperboy-search-"), "{name}");
    }

    #[tokio::test]
    async fn a_full_queue_makes_callers_wait_then_busy() {
        let pool = SearchPool::new(1, 1, Duration::from_millis(100));
        let slow = pool.clone();
        let running = tokio::spawn(async move {
            slow.run(|| std::thread::sleep(Duration::from_millis(500)))
                .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let err = pool.run(|| 1).await.unwrap_err();
        assert!(matches!(err, SearchError::Busy), "{err}");
        assert!(started.elapsed() >= Duration::from_millis(100));
        running.await.unwrap().unwrap();
        assert_eq!(pool.run(|| 2).await.unwrap(), 2, "free again");
    }

    #[tokio::test]
    async fn a_panicking_task_is_an_error_and_the_pool_lives_on() {
        let pool = SearchPool::new(1, 2, Duration::from_secs(1));
        let err = pool.run(|| -> () { panic!("boom") }).await.unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
        assert_eq!(pool.run(|| 3).await.unwrap(), 3);
    }
}
