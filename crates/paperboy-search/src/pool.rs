//! [`SearchPool`]: the threads that search runs on.
//!
//! Keyword search, the vector scan, highlighting and index writes are CPU work. Run
//! on the async runtime's threads, a few expensive searches would hold every one of
//! them and stall pages that need no search at all. So they run here: a fixed set of
//! threads (started once, none per query) fed by bounded queues. Work waits for a
//! place in its queue without holding a runtime thread, and a caller that waits too
//! long gets [`SearchError::Busy`] (503) instead of a hung request.
//!
//! Two lanes: [`Lane::Page`] for the small pieces of pages (a paper page's similar
//! papers) and [`Lane::Search`] for searches and index writes. A free thread takes
//! page work first, so paper pages stay quick while searches queue up.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};

use crate::{Result, SearchError};

type Task = Box<dyn FnOnce() + Send>;

/// Which queue work waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Part of a page someone is waiting to read: taken first.
    Page,
    /// Searches and index writes.
    Search,
}

/// The queued tasks of both lanes.
#[derive(Default)]
struct Queues {
    page: VecDeque<Task>,
    search: VecDeque<Task>,
}

/// What the threads share.
struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
}

/// A fixed pool of search threads with bounded queues.
#[derive(Clone)]
pub struct SearchPool {
    shared: Arc<Shared>,
    page_places: Arc<Semaphore>,
    search_places: Arc<Semaphore>,
    wait: Duration,
}

impl std::fmt::Debug for SearchPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchPool")
            .field(
                "free_search_places",
                &self.search_places.available_permits(),
            )
            .finish_non_exhaustive()
    }
}

impl SearchPool {
    /// `threads` threads, at most `queue` tasks queued or running per lane, callers
    /// waiting at most `wait` for a place.
    pub fn new(threads: usize, queue: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let queue = queue.max(threads);
        let shared = Arc::new(Shared {
            queues: Mutex::new(Queues::default()),
            ready: Condvar::new(),
        });
        for n in 0..threads {
            let shared = shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("paperboy-search-{n}"))
                .spawn(move || work(&shared));
            if let Err(e) = spawned {
                tracing::error!("cannot start search thread {n}: {e}");
            }
        }
        Self {
            shared,
            page_places: Arc::new(Semaphore::new(queue)),
            search_places: Arc::new(Semaphore::new(queue)),
            wait,
        }
    }

    /// A pool with a thread per core, queues of 64 and a 10 s wait: what a server
    /// uses.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores, 64, Duration::from_secs(10))
    }

    /// Runs `task` on a search thread, in the search lane, and returns its result.
    pub async fn run<T: Send + 'static>(
        &self,
        task: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        self.run_in(Lane::Search, task).await
    }

    /// Runs `task` on a search thread, queued in `lane`, and returns its result.
    pub async fn run_in<T: Send + 'static>(
        &self,
        lane: Lane,
        task: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let places = match lane {
            Lane::Page => &self.page_places,
            Lane::Search => &self.search_places,
        };
        let place = tokio::time::timeout(self.wait, places.clone().acquire_owned())
            .await
            .map_err(|_| SearchError::Busy)?
            .map_err(|_| SearchError::Busy)?;
        let (done, result) = oneshot::channel();
        let task: Task = Box::new(move || {
            let _place = place;
            let _ = done.send(task());
        });
        {
            let mut queues = self.shared.queues.lock().unwrap_or_else(|e| e.into_inner());
            match lane {
                Lane::Page => queues.page.push_back(task),
                Lane::Search => queues.search.push_back(task),
            }
        }
        self.shared.ready.notify_one();
        result
            .await
            .map_err(|_| SearchError::Worker("a search task panicked".into()))
    }
}

/// A search thread: page work first, then searches; sleeps while both are empty.
fn work(shared: &Shared) {
    loop {
        let task = {
            let mut queues = shared.queues.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(task) = queues
                    .page
                    .pop_front()
                    .or_else(|| queues.search.pop_front())
                {
                    break task;
                }
                queues = shared.ready.wait(queues).unwrap_or_else(|e| e.into_inner());
            }
        };
        // A panicking task drops its sender; the caller sees the error, and this
        // thread goes on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
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
    async fn page_work_overtakes_queued_searches() {
        let pool = SearchPool::new(1, 16, Duration::from_secs(5));
        let order = Arc::new(Mutex::new(Vec::new()));
        // One search holds the only thread; five more queue behind it.
        let mut searches = Vec::new();
        for i in 0..6 {
            let (pool, order) = (pool.clone(), order.clone());
            searches.push(tokio::spawn(async move {
                pool.run(move || {
                    std::thread::sleep(Duration::from_millis(50));
                    order.lock().unwrap().push(format!("search {i}"));
                })
                .await
            }));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let page_order = order.clone();
        pool.run_in(Lane::Page, move || {
            page_order.lock().unwrap().push("page".into())
        })
        .await
        .unwrap();
        for search in searches {
            search.await.unwrap().unwrap();
        }
        let order = order.lock().unwrap();
        let page_at = order.iter().position(|o| o == "page").unwrap();
        assert!(
            page_at <= 1,
            "the page ran after at most the running search: {order:?}"
        );
    }

    #[tokio::test]
    async fn a_panicking_task_is_an_error_and_the_pool_lives_on() {
        let pool = SearchPool::new(1, 2, Duration::from_secs(1));
        let err = pool.run(|| -> () { panic!("boom") }).await.unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
        assert_eq!(pool.run(|| 3).await.unwrap(), 3);
    }
}
