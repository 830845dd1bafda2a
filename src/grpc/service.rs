//! `copydesk.v1.NormalizerService`: a state struct (rules, limits, counters) and the trait impl.
//!
//! Every document runs on the engine threads (`workers`), so a large one never stalls the async
//! workers. Two limits admit documents: a semaphore bounds the documents in work
//! (`--concurrency-limit`), and the memory budget (`budget`, `--memory-budget`) bounds their
//! estimated memory. Unary calls over either are shed at once with RESOURCE_EXHAUSTED; stream
//! items wait for both within their deadline, which gives a pipeline back-pressure instead of
//! errors (the number of streams is bounded by `max_concurrent_streams`), as long as the
//! requests of the items waiting fit the budget's pool for them (a quarter of it); past that an
//! item is an error item RESOURCE_EXHAUSTED at once. A document estimated
//! over the whole budget is refused. The permits stay with the engine run until it really
//! ends, even when the caller's deadline passed, so timed-out work still counts against them.
//! An article whose encoded response would exceed `--max-response-bytes` is refused on the
//! engine thread, before it is encoded.
//!
//! A NormalizeStream runs up to `--stream-concurrency` of its items at once, each as a task,
//! and sends their answers in input order (`serve_stream`).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opentelemetry::context::FutureExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Response, Status, Streaming};
use tracing::Instrument as _;

use super::budget::{Budget, BudgetPermit, Cost, Refusal};
use super::convert;
use super::layer::{Arrival, is_decode_failure, log_unanswered, stream_oversize_status};
use super::metrics::Metrics;
use super::workers::Workers;
use crate::config::ServeConfig;
use crate::engine;
use crate::pb;
use crate::pb::normalizer_service_server::NormalizerService;
use crate::rules::Rules;

/// Responses a stream may hold ready before the reader takes them: a slow reader slows the
/// writer after this many documents.
const STREAM_BUFFER: usize = 4;

/// A call refused at the concurrency limit or the memory budget (its RESOURCE_EXHAUSTED
/// status). A type of its own so that it cannot be logged like other failures by mistake: see
/// `finish_shed`.
struct Shed(Status);

/// Why a unary call was not admitted: shed under load, or refused whatever the load (a
/// document estimated over the whole memory budget), which is logged like any failure.
enum NotAdmitted {
    Shed(Shed),
    Refused(Status),
}

/// What a document holds while in work: its place under the concurrency limit and its share of
/// the memory budget. The place is released on the engine thread when the run ends; the share
/// goes with the answer (a stream holds it until the answer is encoded, see `Answers`), or is
/// released on the engine thread when the run ends without one.
struct Admission {
    count: OwnedSemaphorePermit,
    memory: BudgetPermit,
}

/// A point in time by which an answer is due, and who set it (for the message).
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    by_client: bool,
    budget: Duration,
}

impl Deadline {
    fn earliest(self, other: Option<Deadline>) -> Deadline {
        match other {
            Some(o) if o.at < self.at => o,
            _ => self,
        }
    }

    fn exceeded(&self) -> Status {
        if self.by_client {
            Status::deadline_exceeded(format!(
                "the client's deadline of {} ms passed before the document was normalised",
                self.budget.as_millis()
            ))
        } else {
            Status::deadline_exceeded(format!(
                "the document was not normalised within the server's request timeout of {} ms (--request-timeout)",
                self.budget.as_millis()
            ))
        }
    }
}

struct Shared {
    rules: Arc<Rules>,
    engine: engine::Config,
    request_timeout: Duration,
    concurrency_limit: usize,
    /// Items of one stream in work at once (`--stream-concurrency`).
    stream_concurrency: usize,
    /// Admission is ours, not tower's `ConcurrencyLimit` and `LoadShed` layers: those see one
    /// HTTP request, so a NormalizeStream would take one place for all its items and could not
    /// make its items wait while unary calls are shed; and they run before the message is
    /// decoded, so they cannot weigh a document by its estimated memory (`budget`).
    permits: Arc<Semaphore>,
    /// The memory budget (`--memory-budget`).
    budget: Budget,
    /// Largest encoded response (`--max-response-bytes`).
    max_response_bytes: usize,
    /// Engine runs at the same time: one per engine thread (see `blocking`).
    engine_slots: Arc<Semaphore>,
    workers: Arc<Workers>,
    metrics: Arc<Metrics>,
    next_id: AtomicU64,
}

/// The service state. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Normalizer {
    shared: Arc<Shared>,
}

impl Normalizer {
    pub fn new(
        rules: Arc<Rules>,
        config: &ServeConfig,
        metrics: Arc<Metrics>,
        workers: Arc<Workers>,
    ) -> Self {
        Normalizer {
            shared: Arc::new(Shared {
                rules,
                engine: config.engine(),
                request_timeout: config.request_timeout,
                concurrency_limit: config.concurrency_limit,
                stream_concurrency: config.stream_concurrency.max(1),
                permits: Arc::new(Semaphore::new(config.concurrency_limit)),
                budget: Budget::new(config.memory_budget),
                max_response_bytes: config.max_response_bytes(),
                engine_slots: Arc::new(Semaphore::new(workers.threads())),
                workers,
                metrics,
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// The document's id, or a generated one for the logs.
    fn request_id(&self, id: &str) -> String {
        if id.is_empty() {
            format!(
                "req-{}",
                self.shared.next_id.fetch_add(1, Ordering::Relaxed)
            )
        } else {
            engine::text::truncate(id, engine::MAX_ID_BYTES).to_string()
        }
    }

    /// The client's deadline (`grpc-timeout`, counted from arrival, a little early).
    fn client_deadline<T>(&self, request: &Request<T>) -> Option<Deadline> {
        let arrival = request.extensions().get::<Arrival>()?;
        Some(Deadline {
            at: arrival.client_deadline()?,
            by_client: true,
            budget: arrival.client_timeout?,
        })
    }

    fn server_deadline(&self, from: Instant) -> Deadline {
        Deadline {
            at: from + self.shared.request_timeout,
            by_client: false,
            budget: self.shared.request_timeout,
        }
    }

    fn unary_deadline<T>(&self, request: &Request<T>) -> Deadline {
        self.server_deadline(arrival(request))
            .earliest(self.client_deadline(request))
    }

    /// A permit for a unary call, or RESOURCE_EXHAUSTED at once (counted as shed).
    fn try_permit(&self) -> Result<OwnedSemaphorePermit, Shed> {
        self.shared.permits.clone().try_acquire_owned().map_err(|_| {
            self.shared.metrics.shed();
            Shed(Status::resource_exhausted(format!(
                "server is at its concurrency limit of {} documents in work: retry with backoff",
                self.shared.concurrency_limit
            )))
        })
    }

    /// A concurrency permit and the document's share of the memory budget for a unary call, or
    /// the reason there is none: shed (the limit or the budget is taken now) or refused (the
    /// document alone is over the whole budget).
    fn try_admit(&self, doc: &pb::Document) -> Result<Admission, NotAdmitted> {
        self.try_admit_cost(Cost::of(doc))
    }

    /// `try_admit` for a DetectLanguage call: its text is held while it waits for an engine
    /// thread, so it takes its share of the budget too.
    fn try_admit_detection(&self, bytes: usize) -> Result<Admission, NotAdmitted> {
        self.try_admit_cost(Cost::of_detection(bytes))
    }

    fn try_admit_cost(&self, cost: Cost) -> Result<Admission, NotAdmitted> {
        // Over the whole budget is refused whatever the load, before the load is looked at.
        let budget = &self.shared.budget;
        budget
            .fits(cost)
            .map_err(|r| NotAdmitted::Refused(r.status()))?;
        let count = self.try_permit().map_err(NotAdmitted::Shed)?;
        match budget.try_acquire(cost) {
            Ok(memory) => Ok(Admission { count, memory }),
            Err(refusal @ Refusal::Full { .. }) => {
                self.shared.metrics.shed();
                Err(NotAdmitted::Shed(Shed(refusal.status())))
            }
            Err(refusal) => Err(NotAdmitted::Refused(refusal.status())),
        }
    }

    /// The document's share of the memory budget, then a concurrency permit, waiting for both
    /// (a stream item); by `deadline`, else DEADLINE_EXCEEDED. While it waits for its share its
    /// request bytes count in the budget's pool for waiting items; with that full it is
    /// answered RESOURCE_EXHAUSTED at once, counted as shed.
    async fn admit(&self, doc: &pb::Document, deadline: Deadline) -> Result<Admission, Status> {
        let cost = Cost::of(doc);
        let wait = async {
            let memory = self.shared.budget.acquire_waiting(cost).await?;
            let count = self
                .shared
                .permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Refusal::Closed)?;
            Ok::<_, Refusal>(Admission { count, memory })
        };
        match tokio::time::timeout_at(deadline.at, wait).await {
            Ok(Ok(admission)) => Ok(admission),
            Ok(Err(refusal @ Refusal::WaitFull { .. })) => {
                self.shared.metrics.shed();
                Err(refusal.status())
            }
            Ok(Err(refusal)) => Err(refusal.status()),
            Err(_) => Err(deadline.exceeded()),
        }
    }

    /// The metrics of a call shed at the concurrency limit. Under overload there are thousands
    /// a second, so each gets a debug line only; the info-level record is the line a second
    /// that `metrics::log_shed` writes with their number.
    fn finish_shed(
        &self,
        method: &'static str,
        bytes: usize,
        started: Instant,
        shed: Shed,
    ) -> Status {
        let took = started.elapsed();
        let code = convert::code_name(shed.0.code());
        self.shared.metrics.record(method, code, bytes, took);
        tracing::debug!(
            method,
            bytes_in = bytes,
            duration_ms = took.as_secs_f64() * 1000.0,
            status = code,
            error = shed.0.message(),
            "call shed"
        );
        shed.0
    }

    /// Runs `work` on an engine thread, holding `permit` until it ends; answers by `deadline`.
    async fn blocking<T: Send + 'static, P: Send + 'static>(
        &self,
        deadline: Deadline,
        permit: P,
        work: impl FnOnce(&Rules, &engine::Config) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        if Instant::now() >= deadline.at {
            return Err(deadline.exceeded());
        }
        let shared = self.shared.clone();
        // The engine is CPU-bound: one run per engine thread (one per core) at a time, on those
        // threads only (see `workers`: each thread keeps its own regex caches). The wait for a
        // slot is async, so the async workers stay free, and a large document holds one slot,
        // never all of them.
        let task = async move {
            let slot = shared
                .engine_slots
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Status::unavailable("server is shutting down"))?;
            let workers = shared.workers.clone();
            workers
                .run(move || {
                    let _permit = permit;
                    let _slot = slot;
                    let _in_flight = shared.metrics.in_flight();
                    work(&shared.rules, &shared.engine)
                })
                .await
                .map_err(|error| {
                    tracing::error!(%error, "the engine failed on a document");
                    Status::internal(
                        "the normaliser failed on this document (logged on the server)",
                    )
                })
        };
        match tokio::time::timeout_at(deadline.at, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(status)) => Err(status),
            Err(_) => Err(deadline.exceeded()),
        }
    }

    async fn normalize_document(
        &self,
        doc: pb::Document,
        options: pb::NormalizeOptions,
        deadline: Deadline,
        permit: Admission,
    ) -> Result<(Normalized, BudgetPermit), Status> {
        let max_response = self.shared.max_response_bytes;
        let Admission { count, memory } = permit;
        // The share of the memory budget travels in the closure and comes back with the
        // article: when the caller stopped waiting (its deadline), it is released on the engine
        // thread as the run ends, never before.
        self.blocking(deadline, count, move |rules, config| {
            let result = engine::normalize(&convert::input(&doc), rules, config);
            // The request is not needed any more: its memory goes before the proto article's
            // comes.
            drop(doc);
            let article = result.map_err(|e| convert::status(&e))?;
            // Written from the engine's article, before the proto one takes it.
            let ninjs = if options.ninjs {
                engine::formats::ninjs::to_ninjs_string(&article)
            } else {
                String::new()
            };
            let article = convert::article(article, &options);
            check_response_size(&article, &ninjs, max_response)?;
            Ok((Normalized { article, ninjs }, memory))
        })
        .await
    }

    /// One log line and the metrics of a finished call or stream item.
    /// Runs one document once it holds a slot (or takes the refusal it got instead), then logs
    /// and counts the call: the common tail of `Normalize` and every `NormalizeStream` item.
    async fn normalize_logged(
        &self,
        method: &'static str,
        doc: pb::Document,
        options: pb::NormalizeOptions,
        deadline: Deadline,
        permit: Result<Admission, Status>,
        started: Instant,
    ) -> Result<(Normalized, BudgetPermit), Status> {
        let log_id = self.request_id(&doc.id);
        let bytes = convert::document_len(&doc);
        let result = match permit {
            Ok(permit) => {
                self.normalize_document(doc, options, deadline, permit)
                    .await
            }
            Err(status) => Err(status),
        };
        let language = result
            .as_ref()
            .ok()
            .and_then(|(n, _)| n.article.language.as_ref())
            .map_or("", |l| l.code.as_str());
        self.finish(
            method,
            &log_id,
            language,
            bytes,
            started,
            result.as_ref().err(),
        );
        result
    }

    fn finish(
        &self,
        method: &'static str,
        id: &str,
        language: &str,
        bytes: usize,
        started: Instant,
        status: Option<&Status>,
    ) {
        let took = started.elapsed();
        // An over-long id is refused, but the refusal is logged: never the whole of it.
        let id = engine::text::truncate(id, engine::MAX_ID_BYTES);
        let code = convert::code_name(status.map_or(Code::Ok, Status::code));
        self.shared.metrics.record(method, code, bytes, took);
        let duration_ms = took.as_secs_f64() * 1000.0;
        match status {
            None => tracing::info!(
                request_id = id,
                method,
                language,
                bytes_in = bytes,
                duration_ms,
                status = code,
                "call"
            ),
            Some(s) => tracing::info!(
                request_id = id,
                method,
                language,
                bytes_in = bytes,
                duration_ms,
                status = code,
                error = s.message(),
                "call"
            ),
        }
    }

    /// The status that ends a stream whose request stream broke: a message tonic refused as too
    /// large becomes RESOURCE_EXHAUSTED naming the stream's limit; others pass unchanged.
    fn stream_end_status(&self, status: Status) -> Status {
        stream_oversize_status(&status, self.shared.engine.max_document_bytes).unwrap_or(status)
    }

    /// A document over the document limit, refused before anything is spent on it: no
    /// concurrency permit, no engine thread (the engine's own check gives the same answer).
    fn too_large(&self, doc: &pb::Document) -> Option<Status> {
        let limit = self.shared.engine.max_document_bytes;
        let size = convert::document_len(doc);
        (size > limit).then(|| convert::status(&engine::Error::TooLarge { size, limit }))
    }
}

/// A normalised document as the wire gives it: the article, and its ninjs document when the
/// options asked for one (else empty).
struct Normalized {
    article: pb::Article,
    ninjs: String,
}

/// RESOURCE_EXHAUSTED when the article's encoded size (with the ninjs document, when asked
/// for) is over the response limit: it names the limit and what to do, instead of a response
/// the client cannot take (and the server should not buffer).
fn check_response_size(article: &pb::Article, ninjs: &str, limit: usize) -> Result<(), Status> {
    use prost::Message;
    // The ninjs string as a field of the response: one byte of tag, its length, its bytes.
    let size = article.encoded_len()
        + if ninjs.is_empty() {
            0
        } else {
            1 + prost::encoding::encoded_len_varint(ninjs.len() as u64) + ninjs.len()
        };
    if size <= limit {
        return Ok(());
    }
    let with = if ninjs.is_empty() {
        ""
    } else {
        " with its ninjs document"
    };
    Err(Status::resource_exhausted(format!(
        "the article{with} is {size} bytes, over the response limit of {limit} bytes (--max-response-bytes): ask for less (options omit_text, omit_removed, no ninjs), split the document, or raise --max-response-bytes"
    )))
}

/// When the request reached the server (stamped by `layer::Edge` before tonic read the body).
fn arrival<T>(request: &Request<T>) -> Instant {
    request
        .extensions()
        .get::<Arrival>()
        .map_or_else(Instant::now, |a| a.at)
}

type ResponseStream =
    Pin<Box<dyn Stream<Item = Result<pb::NormalizeStreamResponse, Status>> + Send>>;

/// An answer of a stream waiting to be sent, with its document's share of the memory budget.
type Queued = (
    Result<pb::NormalizeStreamResponse, Status>,
    Option<BudgetPermit>,
);

/// A stream's answers as tonic takes them. Each answer's share of the memory budget is held
/// until tonic asks for the next answer: by then the article is encoded and gone. Without
/// this, a stream's articles waiting in its queue (up to `STREAM_BUFFER`) and the one being
/// encoded were outside the budget (8 streams of 16 MiB documents peaked at 616 MB).
struct Answers {
    queue: ReceiverStream<Queued>,
    held: Option<BudgetPermit>,
}

impl Stream for Answers {
    type Item = Result<pb::NormalizeStreamResponse, Status>;

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = self.get_mut();
        // Asked for the next answer: the previous one is encoded.
        this.held = None;
        Pin::new(&mut this.queue).poll_next(cx).map(|next| {
            next.map(|(answer, memory)| {
                this.held = memory;
                answer
            })
        })
    }
}

#[tonic::async_trait]
impl NormalizerService for Normalizer {
    async fn normalize(
        &self,
        request: Request<pb::NormalizeRequest>,
    ) -> Result<Response<pb::NormalizeResponse>, Status> {
        let deadline = self.unary_deadline(&request);
        let started = arrival(&request);
        let req = request.into_inner();
        let doc = req.document.unwrap_or_default();
        let options = req.options.unwrap_or_default();
        let permit = match self.too_large(&doc) {
            Some(status) => Err(status),
            None => match self.try_admit(&doc) {
                Ok(admission) => Ok(admission),
                Err(NotAdmitted::Refused(status)) => Err(status),
                Err(NotAdmitted::Shed(shed)) => {
                    let bytes = convert::document_len(&doc);
                    return Err(self.finish_shed("Normalize", bytes, started, shed));
                }
            },
        };
        let result = self
            .normalize_logged("Normalize", doc, options, deadline, permit, started)
            .await;
        // A unary answer's share of the budget ends here, as tonic encodes it.
        result.map(|(Normalized { article, ninjs }, _memory)| {
            Response::new(pb::NormalizeResponse {
                article: Some(article),
                ninjs,
            })
        })
    }

    type NormalizeStreamStream = ResponseStream;

    async fn normalize_stream(
        &self,
        request: Request<Streaming<pb::NormalizeStreamRequest>>,
    ) -> Result<Response<Self::NormalizeStreamStream>, Status> {
        let client_deadline = self.client_deadline(&request);
        let inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        // The stream's work goes on after this returns: it keeps the call's span (x-request-id)
        // and its OpenTelemetry context (the parent of its items' engine spans).
        tokio::spawn(
            self.clone()
                .serve_stream(inbound, client_deadline, tx)
                .instrument(tracing::Span::current())
                .with_current_context(),
        );
        Ok(Response::new(Box::pin(Answers {
            queue: ReceiverStream::new(rx),
            held: None,
        })))
    }

    async fn detect_language(
        &self,
        request: Request<pb::DetectLanguageRequest>,
    ) -> Result<Response<pb::DetectLanguageResponse>, Status> {
        let deadline = self.unary_deadline(&request);
        let started = arrival(&request);
        let req = request.into_inner();
        let bytes = req.text.len();
        let result = match self.detect_checks(&req) {
            Err(status) => Err(status),
            Ok(hint) => match self.try_admit_detection(bytes) {
                Ok(permit) => self.detect(req, hint, deadline, permit).await,
                Err(NotAdmitted::Refused(status)) => Err(status),
                Err(NotAdmitted::Shed(shed)) => {
                    return Err(self.finish_shed("DetectLanguage", bytes, started, shed));
                }
            },
        };
        let id = self.request_id("");
        let language = result
            .as_ref()
            .ok()
            .and_then(|d| d.language.as_ref())
            .map_or("", |l| l.code.as_str());
        self.finish(
            "DetectLanguage",
            &id,
            language,
            bytes,
            started,
            result.as_ref().err(),
        );
        result.map(Response::new)
    }

    async fn get_capabilities(
        &self,
        request: Request<pb::GetCapabilitiesRequest>,
    ) -> Result<Response<pb::GetCapabilitiesResponse>, Status> {
        let started = arrival(&request);
        let rules = &self.shared.rules;
        let response = pb::GetCapabilitiesResponse {
            version: crate::VERSION.to_string(),
            languages: rules.language_codes(),
            agencies: rules.agencies().news_names(),
            rules_version: rules.digest().to_string(),
            max_document_bytes: self.shared.engine.max_document_bytes as u64,
            detectable_languages: rules.detector().languages(),
        };
        let id = self.request_id("");
        self.finish("GetCapabilities", &id, "", 0, started, None);
        Ok(Response::new(response))
    }
}

/// What the task of one stream item gives back.
enum Answer {
    /// The item's response: an article or an error item (boxed: an article is large, the
    /// other variant small, and the answer moves through the queue of items in work), with the
    /// document's share of the memory budget while the article exists.
    Item(Box<pb::NormalizeStreamResponse>, Option<BudgetPermit>),
    /// The client's deadline for the whole stream passed: the stream ends with this status.
    End(Status),
}

/// How a stream ended.
enum StreamEnd {
    /// The client closed its side and every item was answered.
    Done,
    /// The client went away (cancelled, or its connection closed) before every answer was sent.
    Cancelled,
    /// The stream ends with this status, after the items read before its cause were answered.
    Failed(Status),
}

/// The items of one stream in work, oldest first, each a task of its own. Dropping it (the
/// stream ended early or the client left) aborts the tasks; an engine run already started
/// still ends on its thread and holds its concurrency permit until then.
#[derive(Default)]
struct InWork(VecDeque<(String, JoinHandle<Answer>)>);

impl InWork {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn push(&mut self, id: String, task: JoinHandle<Answer>) {
        self.0.push_back((id, task));
    }

    /// The oldest item's answer once it is ready (later items may be ready before it and
    /// wait); never ready while nothing is in work. Cancel-safe: the item leaves the queue only
    /// in the poll that returns its answer.
    async fn oldest(&mut self) -> Answer {
        let Some((id, task)) = self.0.front_mut() else {
            return std::future::pending().await;
        };
        let answer = match task.await {
            Ok(answer) => answer,
            Err(error) => {
                // The item's task panicked (a bug: `stream_item` does not panic) or was
                // aborted (only on drop, so not here).
                tracing::error!(%error, request_id = id.as_str(), "a stream item's task failed");
                Answer::Item(
                    Box::new(pb::NormalizeStreamResponse {
                        id: std::mem::take(id),
                        result: Some(pb::normalize_stream_response::Result::Error(
                            convert::item_error(&Status::internal(
                                "the normaliser failed on this document (logged on the server)",
                            )),
                        )),
                        ninjs: String::new(),
                    }),
                    None,
                )
            }
        };
        self.0.pop_front();
        answer
    }
}

impl Drop for InWork {
    fn drop(&mut self) {
        for (_, task) in &self.0 {
            task.abort();
        }
    }
}

/// The next request of a stream, or the status that ends the stream: the request stream broke,
/// or the client's deadline for the stream passed while waiting for it.
async fn read_next(
    inbound: &mut Streaming<pb::NormalizeStreamRequest>,
    client_deadline: Option<Deadline>,
) -> Result<Option<pb::NormalizeStreamRequest>, Status> {
    match client_deadline {
        // `Streaming::message` is cancel-safe: a partly read message stays in its buffer.
        Some(d) => tokio::time::timeout_at(d.at, inbound.message())
            .await
            .unwrap_or_else(|_| Err(d.exceeded())),
        None => inbound.message().await,
    }
}

impl Normalizer {
    /// One NormalizeStream: reads items while fewer than `--stream-concurrency` are in work,
    /// runs each as its own task (they share the engine threads with every other call), and
    /// sends the answers in input order. Back-pressure: an answer waits for room in `tx` (the
    /// client's reading pace), and no item is read meanwhile, so a slow reader holds the
    /// writer back through HTTP/2 flow control; per stream at most `stream_concurrency` items
    /// are in work and `STREAM_BUFFER` answers wait to be sent. Each item keeps its own
    /// deadline, counted from when it was read: the server's request timeout, or the client's
    /// deadline for the stream when that comes first.
    async fn serve_stream(
        self,
        mut inbound: Streaming<pb::NormalizeStreamRequest>,
        client_deadline: Option<Deadline>,
        tx: mpsc::Sender<Queued>,
    ) {
        let opened = Instant::now();
        let concurrency = self.shared.stream_concurrency;
        let mut in_work = InWork::default();
        let mut reading = true;
        let mut last_read = opened;
        let mut answered: u64 = 0;
        // The status the stream ends with once the items read before it are answered.
        let mut ending = None;
        let end = loop {
            let can_read = reading && in_work.len() < concurrency;
            if !can_read && in_work.is_empty() {
                break ending.take().map_or(StreamEnd::Done, StreamEnd::Failed);
            }
            tokio::select! {
                answer = in_work.oldest() => match answer {
                    Answer::Item(response, memory) => {
                        // A full channel waits here: the reader's pace sets the writer's.
                        if tx.send((Ok(*response), memory)).await.is_err() {
                            break StreamEnd::Cancelled;
                        }
                        answered += 1;
                    }
                    Answer::End(status) => break StreamEnd::Failed(status),
                },
                next = read_next(&mut inbound, client_deadline), if can_read => match next {
                    Ok(Some(req)) => {
                        last_read = Instant::now();
                        // The item echoes the id; one too long to be an id is refused, and
                        // echoed only as far as an id may go.
                        let id = req
                            .document
                            .as_ref()
                            .map_or("", |d| engine::text::truncate(&d.id, engine::MAX_ID_BYTES))
                            .to_string();
                        let task = tokio::spawn(
                            self.clone()
                                .stream_item(id.clone(), req, client_deadline)
                                .instrument(tracing::Span::current())
                                .with_current_context(),
                        );
                        in_work.push(id, task);
                    }
                    Ok(None) => reading = false,
                    Err(status) => {
                        // The request stream itself broke (a message over the stream's limit,
                        // one that does not decode, a reset) or the client's deadline passed:
                        // nothing more is read; the items in work are answered, then the
                        // stream ends. Counted now as the answer to the message that broke it.
                        reading = false;
                        let status = self.stream_end_status(status);
                        let code = convert::code_name(status.code());
                        if is_decode_failure(&status) {
                            self.shared.metrics.decode_failure("NormalizeStream");
                        }
                        self.shared
                            .metrics
                            .record("NormalizeStream", code, 0, last_read.elapsed());
                        ending = Some(status);
                    }
                },
                () = tx.closed() => break StreamEnd::Cancelled,
            }
        };
        let dropped = in_work.len();
        drop(in_work); // aborts what is still in work
        let took = opened.elapsed();
        let duration_ms = took.as_secs_f64() * 1000.0;
        match end {
            StreamEnd::Done => tracing::info!(
                request_id = "-",
                method = "NormalizeStream",
                items = answered,
                duration_ms,
                status = "OK",
                "stream ended"
            ),
            StreamEnd::Cancelled => log_unanswered(
                &self.shared.metrics,
                "NormalizeStream",
                &format!("stream: {answered} items answered, {dropped} in work dropped"),
                took,
            ),
            StreamEnd::Failed(status) => {
                let code = convert::code_name(status.code());
                if is_decode_failure(&status) {
                    tracing::warn!(
                        request_id = "-",
                        method = "NormalizeStream",
                        items = answered,
                        duration_ms,
                        status = code,
                        error = status.message(),
                        "stream ended: a request message did not decode"
                    );
                } else {
                    tracing::info!(
                        request_id = "-",
                        method = "NormalizeStream",
                        items = answered,
                        duration_ms,
                        status = code,
                        error = status.message(),
                        "stream ended"
                    );
                }
                let _ = tx.send((Err(status), None)).await;
            }
        }
    }

    /// One stream item, from its request to its answer (logged and counted like a call).
    async fn stream_item(
        self,
        id: String,
        req: pb::NormalizeStreamRequest,
        client_deadline: Option<Deadline>,
    ) -> Answer {
        let started = Instant::now();
        let doc = req.document.unwrap_or_default();
        let options = req.options.unwrap_or_default();
        let deadline = self.server_deadline(started).earliest(client_deadline);
        let permit = match self.too_large(&doc) {
            Some(status) => Err(status),
            None => self.admit(&doc, deadline).await,
        };
        let result = self
            .normalize_logged("NormalizeStream", doc, options, deadline, permit, started)
            .await;
        let (item, ninjs, memory) = match result {
            Ok((Normalized { article, ninjs }, memory)) => (
                pb::normalize_stream_response::Result::Article(article),
                ninjs,
                Some(memory),
            ),
            Err(status) => {
                let client_gone = client_deadline.is_some_and(|d| Instant::now() >= d.at);
                if client_gone && status.code() == Code::DeadlineExceeded {
                    return Answer::End(status);
                }
                (
                    pb::normalize_stream_response::Result::Error(convert::item_error(&status)),
                    String::new(),
                    None,
                )
            }
        };
        Answer::Item(
            Box::new(pb::NormalizeStreamResponse {
                id,
                result: Some(item),
                ninjs,
            }),
            memory,
        )
    }
}

impl Normalizer {
    /// DetectLanguage's checks of its request; the hint, trimmed, when they pass.
    fn detect_checks(&self, req: &pb::DetectLanguageRequest) -> Result<String, Status> {
        if req.text.trim().is_empty() {
            return Err(Status::invalid_argument(
                "text is empty: send the text whose language to detect",
            ));
        }
        let hint = req.language_hint.trim().to_string();
        if !hint.is_empty() && !engine::language::is_language_code(&hint) {
            return Err(convert::status(&engine::Error::InvalidLanguageHint(hint)));
        }
        let limit = self.shared.engine.max_document_bytes;
        if req.text.len() > limit {
            return Err(convert::status(&engine::Error::TooLarge {
                size: req.text.len(),
                limit,
            }));
        }
        Ok(hint)
    }

    async fn detect(
        &self,
        req: pb::DetectLanguageRequest,
        hint: String,
        deadline: Deadline,
        permit: Admission,
    ) -> Result<pb::DetectLanguageResponse, Status> {
        self.blocking(deadline, permit, move |rules, _| {
            let hint = Some(hint.as_str()).filter(|h| !h.is_empty());
            Ok(convert::detection(rules.detector().detect(&req.text, hint)))
        })
        .await
    }
}
