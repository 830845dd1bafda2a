//! The memory budget (`--memory-budget`): documents are admitted by the memory their
//! normalisation is expected to take, as well as by count (`--concurrency-limit`).
//!
//! A document's cost is an estimate made before any work, from its size and its number of
//! non-blank lines ([`Cost::of`]): the engine's peak heap grows with both (about 3× the input
//! for real copy; for many tiny lines each line costs a unit, its observations, a block or an
//! artefact, and their share of the response), plus the proto article and its encoded response
//! on the way out. The factors were fitted to the server's RSS growth for one document on a
//! fresh server (`examples/memory.rs`, docs/robustness.md), each shape's cost under the
//! estimate: one huge line 10.2× its bytes (16 MiB: 163 MiB), real copy 7.3×, and per
//! non-blank line on top of 11× its bytes, 71–147 bytes (credit lines the most). They err high
//! for real copy (16 MiB of dpa copy: estimated 196 MiB, measured 116 MiB).
//!
//! The budget is a tokio semaphore whose permits are units of [`UNIT`] bytes: a unary call
//! takes its units at once or is shed with RESOURCE_EXHAUSTED; a stream item waits for them
//! within its deadline. A document whose estimate exceeds the whole budget is refused
//! whatever the load (RESOURCE_EXHAUSTED naming the estimate and the budget): running it alone
//! would still take the process past the memory the budget is sized for.
//!
//! A stream item that waits holds its request (read and decoded) all the while, so waiting has
//! a budget of its own: the items waiting hold their request bytes in a pool of
//! [`WAIT_SHARE`] of the budget ([`Budget::acquire_waiting`]). An item that finds the pool full
//! is answered RESOURCE_EXHAUSTED at once (an error item; the stream goes on) and its request
//! freed, instead of waiting outside any bound. What is then outside the budget is the pool
//! and the one message each stream is reading.
//!
//! After large work the freed heap is given back to the system (`Trimmer`: glibc's
//! `malloc_trim`, shortly after the last large permit of a burst is released).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tonic::Status;

use crate::pb;

/// One permit of the budget's semaphore: 64 KiB.
pub const UNIT: usize = 64 * 1024;

/// Estimated bytes per input byte (the request, the text and its repaired lines, the
/// article's text and blocks, the proto article and its encoded response; one huge line
/// measured 10.2).
pub const BYTE_FACTOR: usize = 11;
/// Estimated bytes per non-blank line on top of its bytes (a unit with its observations and
/// decoded state, a block or an artefact in the domain article, the proto article and the
/// response; 100,000 credit lines measured 147).
pub const LINE_BYTES: usize = 192;
/// Estimated bytes of any document: the engine's fixed working set.
pub const BASE_BYTES: usize = 256 * 1024;

/// The share of the budget (1/`WAIT_SHARE`) that stream items waiting for their units may
/// hold in request bytes, on top of it.
pub const WAIT_SHARE: usize = 4;

/// Work larger than this is followed by a trim of the heap once the budget falls idle.
pub const TRIM_AFTER_BYTES: usize = 8 * 1024 * 1024;

/// What a document is expected to cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub bytes: usize,
    pub lines: usize,
    /// Estimated peak memory of its normalisation, in bytes.
    pub estimate: usize,
}

impl Cost {
    /// The estimate for a document's content (text or raw bytes).
    pub fn of(doc: &pb::Document) -> Cost {
        let content: &[u8] = match &doc.content {
            Some(pb::document::Content::Text(t)) => t.as_bytes(),
            Some(pb::document::Content::Raw(r)) => r,
            None => &[],
        };
        Cost::of_bytes(content)
    }

    /// The estimate for a DetectLanguage call of `bytes` of text: the request held while it
    /// waits, and the engine's fixed working set (detection reads a bounded sample).
    pub fn of_detection(bytes: usize) -> Cost {
        Cost {
            bytes,
            lines: 0,
            estimate: bytes.saturating_add(BASE_BYTES),
        }
    }

    /// The estimate for `content`.
    pub fn of_bytes(content: &[u8]) -> Cost {
        let bytes = content.len();
        let lines = non_blank_lines(content);
        let estimate = bytes
            .saturating_mul(BYTE_FACTOR)
            .saturating_add(lines.saturating_mul(LINE_BYTES))
            .saturating_add(BASE_BYTES);
        Cost {
            bytes,
            lines,
            estimate,
        }
    }

    /// The estimate in whole budget units (at least one).
    fn units(&self) -> u32 {
        units_of(self.estimate)
    }
}

/// `bytes` in whole budget units (at least one).
fn units_of(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(UNIT).max(1)).unwrap_or(u32::MAX)
}

/// Lines that hold something: a line end (LF, CR or CRLF) right after a byte that is no line
/// end, plus a last line without one. Blank lines cost next to nothing in the engine.
fn non_blank_lines(content: &[u8]) -> usize {
    let mut lines = 0;
    let mut previous_was_end = true;
    for &b in content {
        let end = b == b'\n' || b == b'\r';
        if end && !previous_was_end {
            lines += 1;
        }
        previous_was_end = end;
    }
    lines + usize::from(!previous_was_end)
}

/// Why a document was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The estimate is over the whole budget: never admitted.
    OverBudget { cost: Cost, budget: usize },
    /// The budget is taken by other work now (unary calls are shed).
    Full { cost: Cost, budget: usize },
    /// The budget is taken, and the stream items already waiting for it hold the whole pool
    /// for waiting requests (a stream item is answered at once instead of waiting).
    WaitFull { cost: Cost, pool: usize },
    /// The server is shutting down.
    Closed,
}

impl Refusal {
    pub fn status(&self) -> Status {
        match *self {
            Refusal::OverBudget { cost, budget } => Status::resource_exhausted(format!(
                "{} would take about {} MiB, more than the whole memory budget of {} MiB (--memory-budget): split it into smaller documents, or raise --memory-budget",
                what(cost),
                mib(cost.estimate),
                mib(budget)
            )),
            Refusal::Full { cost, budget } => Status::resource_exhausted(format!(
                "server is at its memory budget of {} MiB (--memory-budget): this document needs about {} MiB; retry with backoff",
                mib(budget),
                mib(cost.estimate)
            )),
            Refusal::WaitFull { cost, pool } => Status::resource_exhausted(format!(
                "server is at its memory budget and the stream items waiting for it already hold {} MiB of requests, its share for waiting items (a quarter of --memory-budget): this item of {} bytes was not queued; send it again with backoff",
                mib(pool),
                cost.bytes
            )),
            Refusal::Closed => Status::unavailable("server is shutting down"),
        }
    }
}

/// What is refused: a document to normalise (its lines count), or a text to detect.
fn what(cost: Cost) -> String {
    if cost.lines == 0 {
        format!("text of {} bytes to detect", cost.bytes)
    } else {
        format!(
            "document of {} bytes in {} lines to normalise",
            cost.bytes, cost.lines
        )
    }
}

fn mib(bytes: usize) -> usize {
    bytes.div_ceil(1024 * 1024)
}

/// The memory budget: a semaphore of [`UNIT`]s, and the trimmer it calls after large work.
pub struct Budget {
    units: Arc<Semaphore>,
    bytes: usize,
    /// The pool of request bytes that waiting stream items hold, in [`UNIT`]s.
    waiting: Arc<Semaphore>,
    waiting_bytes: usize,
    trimmer: Arc<Trimmer>,
}

/// Budget units held by one document; released (and a trim asked for after large work) when
/// dropped.
pub struct BudgetPermit {
    _units: OwnedSemaphorePermit,
    trim: Option<Arc<Trimmer>>,
}

impl Drop for BudgetPermit {
    fn drop(&mut self) {
        if let Some(trimmer) = self.trim.take() {
            trimmer.request();
        }
    }
}

impl Budget {
    /// A budget of `bytes` (rounded down to whole units, at least one).
    pub fn new(bytes: usize) -> Budget {
        let units = (bytes / UNIT).clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
        let waiting = (units / WAIT_SHARE).max(1);
        Budget {
            units: Arc::new(Semaphore::new(units)),
            bytes: units * UNIT,
            waiting: Arc::new(Semaphore::new(waiting)),
            waiting_bytes: waiting * UNIT,
            trimmer: Arc::new(Trimmer::new()),
        }
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether the document could ever be admitted: a refusal when its estimate is over the
    /// whole budget.
    pub fn fits(&self, cost: Cost) -> Result<(), Refusal> {
        self.check(cost).map(|_| ())
    }

    fn check(&self, cost: Cost) -> Result<u32, Refusal> {
        if cost.estimate > self.bytes {
            return Err(Refusal::OverBudget {
                cost,
                budget: self.bytes,
            });
        }
        Ok(cost.units())
    }

    fn permit(&self, cost: Cost, units: OwnedSemaphorePermit) -> BudgetPermit {
        BudgetPermit {
            _units: units,
            trim: (cost.estimate >= TRIM_AFTER_BYTES).then(|| self.trimmer.clone()),
        }
    }

    /// The document's units now, or a refusal at once.
    pub fn try_acquire(&self, cost: Cost) -> Result<BudgetPermit, Refusal> {
        let units = self.check(cost)?;
        match self.units.clone().try_acquire_many_owned(units) {
            Ok(p) => Ok(self.permit(cost, p)),
            Err(TryAcquireError::NoPermits) => Err(Refusal::Full {
                cost,
                budget: self.bytes,
            }),
            Err(TryAcquireError::Closed) => Err(Refusal::Closed),
        }
    }

    /// The document's units once they are free (the caller bounds the wait by its deadline).
    /// tokio's semaphore is fair: a large document waiting is not overtaken by small ones.
    pub async fn acquire(&self, cost: Cost) -> Result<BudgetPermit, Refusal> {
        let units = self.check(cost)?;
        match self.units.clone().acquire_many_owned(units).await {
            Ok(p) => Ok(self.permit(cost, p)),
            Err(_) => Err(Refusal::Closed),
        }
    }

    /// `acquire` for a stream item whose request is held while it waits: its units at once if
    /// they are free; else its request bytes from the pool for waiting items, then its units
    /// once they are free (the pool share is given back then). A full pool is a refusal at
    /// once ([`Refusal::WaitFull`]).
    pub async fn acquire_waiting(&self, cost: Cost) -> Result<BudgetPermit, Refusal> {
        match self.try_acquire(cost) {
            Err(Refusal::Full { .. }) => {}
            admitted_or_refused => return admitted_or_refused,
        }
        let _waiting = match self
            .waiting
            .clone()
            .try_acquire_many_owned(units_of(cost.bytes))
        {
            Ok(p) => p,
            Err(TryAcquireError::NoPermits) => {
                return Err(Refusal::WaitFull {
                    cost,
                    pool: self.waiting_bytes,
                });
            }
            Err(TryAcquireError::Closed) => return Err(Refusal::Closed),
        };
        self.acquire(cost).await
    }
}

/// Gives freed heap back to the system after large work. glibc's allocator keeps freed memory
/// in its arenas (one per thread that allocated, up to 8 per core), so after a burst of large
/// documents the process stays at its peak; `malloc_trim(0)` returns the free pages of every
/// arena. It runs on tokio's blocking pool, `TRIM_DELAY` after a large permit is released (by
/// then the response is encoded and sent, and its buffers freed), at most once per delay.
/// Elsewhere than glibc it does nothing.
pub struct Trimmer {
    pending: AtomicBool,
    runtime: Option<tokio::runtime::Handle>,
}

/// Time between the end of large work and the trim.
pub const TRIM_DELAY: Duration = Duration::from_millis(250);

impl Trimmer {
    fn new() -> Trimmer {
        Trimmer {
            pending: AtomicBool::new(false),
            runtime: tokio::runtime::Handle::try_current().ok(),
        }
    }

    /// Asks for a trim soon; callable from any thread (permits are released on engine threads).
    fn request(self: Arc<Self>) {
        if !cfg!(all(target_os = "linux", target_env = "gnu")) {
            return;
        }
        let Some(runtime) = self.runtime.clone() else {
            return;
        };
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        runtime.spawn(async move {
            tokio::time::sleep(TRIM_DELAY).await;
            self.pending.store(false, Ordering::Release);
            let _ = tokio::task::spawn_blocking(trim_heap).await;
        });
    }
}

/// Returns the allocator's free pages to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim_heap() {
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks; it takes no
    // pointers from us and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Returns the allocator's free pages to the system (nothing to do off glibc).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim_heap() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_blank_lines_count_lines_with_content() {
        assert_eq!(non_blank_lines(b""), 0);
        assert_eq!(non_blank_lines(b"Wort"), 1);
        assert_eq!(non_blank_lines(b"Wort\n\n"), 1);
        assert_eq!(non_blank_lines(b"Wort\n\nWort\n\n"), 2);
        assert_eq!(non_blank_lines(b"a\r\nb\r\n\r\nc"), 3);
        assert_eq!(non_blank_lines(b"a\rb\r"), 2);
        assert_eq!(non_blank_lines(b"\n\n\n"), 0);
    }

    #[test]
    fn the_estimate_grows_with_bytes_and_lines() {
        let one_line = Cost::of_bytes(&[b'a'; 6000]);
        let tiny_lines = Cost::of_bytes(&b"Wort\n\n".repeat(1000));
        assert_eq!(one_line.bytes, tiny_lines.bytes);
        assert!(tiny_lines.estimate > one_line.estimate);
        assert_eq!(tiny_lines.lines, 1000);
    }

    #[tokio::test]
    async fn a_document_over_the_whole_budget_is_refused_and_a_full_budget_sheds() {
        let budget = Budget::new(4 * 1024 * 1024);
        let big = Cost::of_bytes(&[b'a'; 1024 * 1024]);
        assert!(matches!(
            budget.try_acquire(big),
            Err(Refusal::OverBudget { .. })
        ));
        let half = Cost::of_bytes(&[b'a'; 300 * 1024]);
        let first = budget.try_acquire(half).expect("room for one");
        let second = budget.try_acquire(half);
        assert!(
            matches!(second, Err(Refusal::Full { .. })),
            "{:?}",
            second.err()
        );
        drop(first);
        budget.try_acquire(half).expect("room again");
        let message = Refusal::OverBudget {
            cost: big,
            budget: budget.bytes(),
        }
        .status();
        assert!(message.message().contains("--memory-budget"), "{message:?}");
    }

    /// A stream item waits for its units holding its request bytes in the pool for waiting
    /// items; one that finds the pool full is refused at once, and the pool is free again once
    /// the waiting item is admitted.
    #[tokio::test]
    async fn waiting_items_hold_their_requests_in_a_bounded_pool() {
        let budget = Budget::new(8 * 1024 * 1024); // a pool of 2 MiB for waiting requests
        let item = Cost::of_bytes(&vec![b'a'; 600 * 1024]); // estimate about 6.7 MiB
        let running = budget.try_acquire(item).expect("room for one");
        let mut first = Box::pin(budget.acquire_waiting(item));
        let mut second = Box::pin(budget.acquire_waiting(item));
        let mut third = Box::pin(budget.acquire_waiting(item));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(first.as_mut().poll(&mut cx).is_pending());
        assert!(second.as_mut().poll(&mut cx).is_pending());
        // 600 KiB (10 units) a request: three fit in 2 MiB (32 units), a fourth does not.
        assert!(third.as_mut().poll(&mut cx).is_pending());
        let refused = budget.acquire_waiting(item).await;
        let Err(refusal @ Refusal::WaitFull { .. }) = refused else {
            panic!("expected WaitFull, got {:?}", refused.err());
        };
        let status = refusal.status();
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
        assert!(status.message().contains("--memory-budget"), "{status:?}");
        drop(third);
        drop(running);
        let admitted = first.await.expect("admitted once the running one ends");
        drop(second);
        // The pool is free again: a waiting item is accepted (and waits: `admitted` runs).
        let mut again = Box::pin(budget.acquire_waiting(item));
        assert!(again.as_mut().poll(&mut cx).is_pending());
        drop(admitted);
        again.await.expect("admitted");
    }
}
