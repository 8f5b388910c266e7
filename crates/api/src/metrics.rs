//! Prometheus metrics: the process's one recorder, what is counted about every request and
//! every reported event, and `GET /metrics`, which adds the service's gauges of the moment and
//! renders the text format. Names and labels are listed in docs/api.md, "Metrics".

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use medley_service::Medley;
use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::ApiError;

const REQUESTS: &str = "medley_http_request_duration_seconds";
const EVENTS_ACCEPTED: &str = "medley_playback_events_accepted_total";
const EVENTS_REFUSED: &str = "medley_playback_events_refused_total";
const LIVE_STREAMS: &str = "medley_live_streams";
const TRANSCODES: &str = "medley_transcodes_running";
const TRANSCODE_CACHE: &str = "medley_transcode_cache_bytes";
const NOTIFICATION_STREAMS: &str = "medley_notification_streams";

/// Histogram buckets, in seconds: from a cached lookup (well under a millisecond) to a slow
/// encode or a stalled client.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Histograms keep their samples until upkeep folds them into buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder, once; `None` when another recorder was installed first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                })
                .ok()?;
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    describe_histogram!(
        REQUESTS,
        Unit::Seconds,
        "HTTP requests by route (its template; `unmatched` for no route), method and status, and how long each took"
    );
    describe_counter!(
        EVENTS_ACCEPTED,
        "Playback events accepted (answered 201), each event of a batch counted"
    );
    describe_counter!(
        EVENTS_REFUSED,
        "Playback events refused, by the error code of the answer (a refused batch counts each of its events)"
    );
    describe_gauge!(LIVE_STREAMS, "Streams of every user that have not ended");
    describe_gauge!(
        TRANSCODES,
        "Renditions being encoded or waiting for an encoder"
    );
    describe_gauge!(
        TRANSCODE_CACHE,
        Unit::Bytes,
        "Bytes of finished renditions in the transcode cache"
    );
    describe_gauge!(
        NOTIFICATION_STREAMS,
        "Notification streams (GET /v1/playback/notifications) open in this process"
    );
    describe_gauge!(
        "medley_store_write_queue_depth",
        "Writes waiting for the store's writer thread"
    );
    describe_histogram!(
        "medley_store_commit_seconds",
        Unit::Seconds,
        "How long each group commit of the store's writer took, from BEGIN to durable COMMIT"
    );
}

/// Counts one answered request.
pub fn request(route: Option<String>, method: &Method, status: StatusCode, took: Duration) {
    let method = match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    };
    metrics::histogram!(
        REQUESTS,
        "route" => route.map_or(metrics::SharedString::const_str("unmatched"), Into::into),
        "method" => method,
        "status" => status.as_str().to_string(),
    )
    .record(took.as_secs_f64());
}

/// Counts the `n` events of one report: accepted, or refused with the answer's code.
pub fn events<T>(n: usize, outcome: &Result<T, ApiError>) {
    match outcome {
        Ok(_) => metrics::counter!(EVENTS_ACCEPTED).increment(n as u64),
        Err(e) => metrics::counter!(EVENTS_REFUSED, "reason" => e.code).increment(n as u64),
    }
}

/// Prometheus metrics
#[utoipa::path(get, path = "/metrics", tag = "Operations",
    description = "The Prometheus text format; no credentials. The series are listed in docs/api.md, \"Metrics\".",
    responses((status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String)))]
pub async fn render(State(m): State<Medley>) -> Response {
    let Some(handle) = install() else {
        return ApiError::unavailable("this process records metrics elsewhere").into_response();
    };
    match m.stats().await {
        Ok(stats) => {
            metrics::gauge!(LIVE_STREAMS).set(stats.live_streams as f64);
            metrics::gauge!(TRANSCODES).set(stats.transcodes_running as f64);
            metrics::gauge!(TRANSCODE_CACHE).set(stats.transcode_cache_bytes as f64);
            metrics::gauge!(NOTIFICATION_STREAMS).set(stats.notification_streams as f64);
        }
        Err(e) => tracing::warn!("reading the stats for /metrics: {e}"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
