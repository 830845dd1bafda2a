//! The engine's own threads: one per core, started once. Documents run here instead of on
//! tokio's blocking pool. The engine is CPU-bound, so more threads than cores only time-slice
//! the same cores; and every thread that runs the engine grows its own regex search caches
//! (the regex crate keeps them per thread), so a pool whose threads come and go (tokio's
//! blocking pool retires idle threads and starts new ones) ends up holding caches for many
//! threads. A fixed set of threads bounds that memory to one set of caches per core.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why a job gave no result.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("the engine panicked on this document")]
    Panicked,
    #[error("the engine workers have stopped")]
    Stopped,
}

/// A fixed pool of engine threads fed through one queue; they end when it is dropped.
pub struct Workers {
    queue: mpsc::Sender<Job>,
    threads: usize,
}

impl Workers {
    /// Starts `threads` engine threads (at least one).
    pub fn start(threads: usize) -> std::io::Result<Arc<Workers>> {
        let threads = threads.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("copydesk-engine-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only to take one job, never while it runs.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                })?;
        }
        Ok(Arc::new(Workers { queue: tx, threads }))
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `work` on an engine thread and waits for its result without blocking the caller's
    /// async worker. A panic in `work` is caught: the thread lives on, the caller gets
    /// `WorkerError::Panicked`. `work` runs in the caller's tracing span (the log's) and
    /// OpenTelemetry context (the exported call span's: see `telemetry`), so that the engine's
    /// spans are children of the call's.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkerError> {
        let (tx, rx) = oneshot::channel();
        let span = tracing::Span::current();
        let otel = opentelemetry::Context::current();
        let job: Job = Box::new(move || {
            let _in_span = span.enter();
            let _in_otel = otel.attach();
            let result = catch_unwind(AssertUnwindSafe(work)).map_err(|_| WorkerError::Panicked);
            // The caller may have gone (deadline passed): nothing to tell then.
            let _ = tx.send(result);
        });
        self.queue.send(job).map_err(|_| WorkerError::Stopped)?;
        rx.await.map_err(|_| WorkerError::Stopped)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_engine_threads_and_panics_are_contained() {
        let workers = Workers::start(2).unwrap();
        let name = workers
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("copydesk-engine-"));
        let panicked = workers.run(|| -> u32 { panic!("boom") }).await;
        assert!(matches!(panicked, Err(WorkerError::Panicked)));
        // The thread that panicked still serves.
        let mut ok = 0;
        for i in 0..8u32 {
            ok += workers.run(move || i).await.unwrap();
        }
        assert_eq!(ok, 28);
    }
}
