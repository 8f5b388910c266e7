//! `medley-loadgen`: drives a running Medley on loopback with the realistic device loop
//! (create a session, then current, next, start and stop events, over and over) from many
//! keep-alive connections, and reports throughput and latency percentiles per request kind.
//! `gen-catalog` writes the catalog the benchmarks import (a 10-track album, a 100,000-track
//! playlist).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a benchmark catalog file.
    GenCatalog {
        #[arg(long, default_value_t = 100_000)]
        tracks: usize,
        #[arg(long)]
        out: String,
    },
    /// Write a folder of tagged audio files (short WAV tones) named like the benchmark catalog.
    GenLibrary {
        #[arg(long, default_value_t = 20_000)]
        files: usize,
        #[arg(long)]
        out: String,
    },
    /// Run the device loop.
    Run(Run),
    /// GET (or POST a body to) one path over and over from several connections and report its
    /// latency.
    Get(Get),
    /// Hold idle keep-alive and slow-header connections open and report when the server
    /// closed them.
    Sockets(Sockets),
    /// Hold notification streams (GET /v1/playback/notifications) open and report what came
    /// down them.
    Listen(Listen),
}

#[derive(clap::Args, Clone)]
struct Listen {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    #[arg(long)]
    api_key: String,
    /// File with one access token per line; stream i uses token i (mod count).
    #[arg(long)]
    tokens: String,
    #[arg(long, default_value_t = 2000)]
    streams: usize,
    /// How long to hold them.
    #[arg(long, default_value_t = 40)]
    seconds: u64,
}

#[derive(clap::Args, Clone)]
struct Sockets {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Connections that make one request and then stay idle.
    #[arg(long, default_value_t = 2000)]
    idle: usize,
    /// Connections that send a header line every two seconds and never finish their head.
    #[arg(long, default_value_t = 300)]
    slow: usize,
    /// How long to hold them at most.
    #[arg(long, default_value_t = 75)]
    seconds: u64,
}

#[derive(clap::Args, Clone)]
struct Get {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    #[arg(long)]
    api_key: String,
    #[arg(long)]
    token: String,
    #[arg(long)]
    path: String,
    /// A JSON body: POST it instead of GET.
    #[arg(long)]
    body: Option<String>,
    #[arg(long, default_value_t = 8)]
    connections: usize,
    #[arg(long, default_value_t = 5)]
    seconds: u64,
}

#[derive(clap::Args, Clone)]
struct Run {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    #[arg(long)]
    api_key: String,
    /// File with one access token per line; connection i uses token i (mod count).
    #[arg(long)]
    tokens: String,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The context each session plays, as an MRN.
    #[arg(long)]
    context: String,
    /// Loop iterations (current, next, start, stop) per session before creating a new one.
    #[arg(long, default_value_t = 20)]
    per_session: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::GenCatalog { tracks, out } => gen_catalog(tracks, &out),
        Cmd::GenLibrary { files, out } => gen_library(files, &out),
        Cmd::Run(r) => run(r).await,
        Cmd::Get(g) => get(g).await,
        Cmd::Sockets(s) => sockets(s).await,
        Cmd::Listen(l) => listen(l).await,
    }
}

/// One held connection: when the server closed it, if it did before the deadline.
async fn hold(addr: String, slow: bool, deadline: Instant) -> anyhow::Result<Option<Duration>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let start = Instant::now();
    let mut s = tokio::net::TcpStream::connect(&addr).await?;
    let mut buf = [0u8; 1024];
    if slow {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await?;
    } else {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await?;
        if s.read(&mut buf).await? == 0 {
            return Ok(Some(start.elapsed()));
        }
    }
    let mut line = 0;
    loop {
        let wait = if slow {
            Duration::from_secs(2)
        } else {
            deadline - Instant::now()
        };
        let until = (Instant::now() + wait).min(deadline);
        match tokio::time::timeout_at(until.into(), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(Some(start.elapsed())),
            Ok(Ok(_)) => continue,
            Err(_) if Instant::now() >= deadline => return Ok(None),
            Err(_) => {
                line += 1;
                if s.write_all(format!("X-Slow-{line}: 1\r\n").as_bytes())
                    .await
                    .is_err()
                {
                    return Ok(Some(start.elapsed()));
                }
            }
        }
    }
}

/// One notification stream held until `deadline`: (events, heartbeats) it got, or why it
/// could not open.
async fn stream(
    addr: String,
    key: String,
    token: String,
    deadline: Instant,
) -> anyhow::Result<(usize, usize)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(&addr).await?;
    let req = format!(
        "GET /v1/playback/notifications HTTP/1.1\r\nHost: {addr}\r\nx-api-key: {key}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => break,
            Ok(Ok(0)) => bail!("the server closed the stream"),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Ok(Err(e)) => return Err(e.into()),
        }
    }
    let text = String::from_utf8_lossy(&seen);
    if !text.starts_with("HTTP/1.1 200") {
        bail!("{}", text.lines().next().unwrap_or("no answer"));
    }
    Ok((
        text.matches("\nevent: ").count(),
        text.matches("\n:\n").count(),
    ))
}

async fn listen(o: Listen) -> anyhow::Result<()> {
    let tokens = read_tokens(&o.tokens)?;
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let tasks: Vec<_> = (0..o.streams)
        .map(|i| {
            let token = tokens[i % tokens.len()].clone();
            tokio::spawn(stream(o.addr.clone(), o.api_key.clone(), token, deadline))
        })
        .collect();
    let (mut open, mut events, mut beats, mut failed) = (0, 0, 0, Vec::new());
    for t in tasks {
        match t.await? {
            Ok((e, b)) => {
                open += 1;
                events += e;
                beats += b;
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
    println!(
        "{open} streams open for {} s: {events} events and {beats} heartbeats in all; {} failed{}",
        o.seconds,
        failed.len(),
        failed
            .first()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    Ok(())
}

async fn sockets(o: Sockets) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let mut tasks = Vec::new();
    for i in 0..o.idle + o.slow {
        tasks.push((
            i >= o.idle,
            tokio::spawn(hold(o.addr.clone(), i >= o.idle, deadline)),
        ));
    }
    let mut closed: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut open = [0usize; 2];
    let mut failed = 0;
    for (slow, t) in tasks {
        match t.await? {
            Ok(Some(d)) => closed[slow as usize].push(d),
            Ok(None) => open[slow as usize] += 1,
            Err(_) => failed += 1,
        }
    }
    for (i, name) in ["idle keep-alive", "slow headers"].iter().enumerate() {
        let c = &mut closed[i];
        c.sort();
        let median = c.get(c.len() / 2).map_or(0.0, |d| d.as_secs_f64());
        let last = c.last().map_or(0.0, |d| d.as_secs_f64());
        println!(
            "{name}: {} closed by the server (median after {median:.1} s, last {last:.1} s), {} still open after {} s",
            c.len(),
            open[i],
            o.seconds
        );
    }
    println!("{failed} could not connect");
    Ok(())
}

fn gen_catalog(tracks: usize, out: &str) -> anyhow::Result<()> {
    let catalog = medley_loadgen::catalog(tracks);
    std::fs::write(out, catalog.to_string()).context("writing the catalog")?;
    println!(
        "wrote {tracks} tracks, {} albums, {} artists to {out}",
        catalog["albums"].as_array().map_or(0, Vec::len),
        catalog["artists"].as_array().map_or(0, Vec::len)
    );
    Ok(())
}

fn gen_library(files: usize, out: &str) -> anyhow::Result<()> {
    use medley_loadgen::audio::{write_tags, write_wav, Tags};
    let c = medley_loadgen::catalog(files);
    let name = |list: &str, id: &Value| -> String {
        c[list]
            .as_array()
            .and_then(|l| l.iter().find(|x| &x["id"] == id))
            .and_then(|x| x["name"].as_str().or(x["title"].as_str()))
            .unwrap_or("Unknown")
            .to_string()
    };
    for (i, t) in c["tracks"].as_array().into_iter().flatten().enumerate() {
        let artist = name("artists", &t["artistIds"][0]);
        let album = name("albums", &t["albumId"]);
        let title = t["title"].as_str().unwrap_or("Untitled");
        let path = std::path::Path::new(out)
            .join(&artist)
            .join(format!(
                "{album} {}",
                &t["albumId"].as_str().unwrap_or("")[3..]
            ))
            .join(format!("{:02} {title}.wav", i % 10 + 1));
        write_wav(&path, 200, 220.0 + (i % 24) as f64 * 20.0)?;
        write_tags(
            &path,
            &Tags {
                title,
                artist: &artist,
                album: &album,
                album_artist: None,
                disc: 1,
                track: (i % 10 + 1) as u32,
                genre: t["genre"].as_str().unwrap_or(""),
                date: "2001-01-01",
                cover: None,
            },
        )?;
    }
    println!("wrote {files} tagged audio files to {out}");
    Ok(())
}

/// The fields of an entity page the loop needs.
#[derive(serde::Deserialize)]
struct Page {
    data: PageData,
}

#[derive(serde::Deserialize)]
struct PageData {
    entities: Vec<PageEntity>,
}

#[derive(serde::Deserialize, Clone)]
struct PageEntity {
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(rename = "metricId")]
    metric_id: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Kind {
    Create,
    Current,
    Next,
    Start,
    Stop,
}

struct Conn {
    send: http1::SendRequest<Full<Bytes>>,
    headers: Vec<(String, String)>,
}

impl Conn {
    async fn open(addr: &str, headers: Vec<(String, String)>) -> anyhow::Result<Conn> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (send, conn) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn { send, headers })
    }

    /// Sends a request; returns the status and the body, unparsed: the loop reads only a few
    /// fields, and parsing whole responses would take CPU from the server being measured.
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Bytes)> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1");
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        self.send.ready().await?;
        let res = self.send.send_request(req.body(Full::new(body))?).await?;
        let status = res.status().as_u16();
        Ok((status, res.into_body().collect().await?.to_bytes()))
    }
}

fn event(entity: &PageEntity, start: bool, ts: i64) -> Value {
    let mut e = json!({"type": if start {"start"} else {"stop"}, "clientTimestampInMilliseconds": ts,
        "initialPlaybackDelayMilliseconds": 10, "deviceTimezone": "+00:00", "playbackCurrentSpeed": 1.0});
    if start {
        e["playbackStartAbsoluteOffsetMilliseconds"] = json!(0);
    } else {
        for (k, v) in [
            ("durationSeconds", json!(30)),
            ("entityProgressSeconds", json!(30)),
            ("rebufferCount", json!(0)),
            ("terminationReason", json!("trackFinished")),
        ] {
            e[k] = v;
        }
    }
    json!({"metricId": entity.metric_id, "event": e})
}

async fn device_loop(
    r: Arc<Run>,
    token: String,
    device: usize,
    deadline: Instant,
) -> anyhow::Result<Vec<(Kind, u32)>> {
    let headers = vec![
        ("x-api-key".to_string(), r.api_key.clone()),
        ("authorization".to_string(), format!("Bearer {token}")),
        (
            "x-amzn-device-id".to_string(),
            format!("bench-device-{device}"),
        ),
        (
            "x-amzn-audio-device-capability".to_string(),
            "STD_RES,HI_FI,HI_RES".to_string(),
        ),
        ("content-type".to_string(), "application/json".to_string()),
    ];
    let mut c = Conn::open(&r.addr, headers).await?;
    let mut samples = Vec::with_capacity(100_000);
    let mut ts: i64 = 1_700_000_000_000 + device as i64 * 1_000_000_000;
    let body = json!({"playParams": {"id": r.context}, "limit": 5,
        "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}});
    let timed = |samples: &mut Vec<(Kind, u32)>,
                 kind: Kind,
                 t: Instant,
                 status: u16,
                 want: u16|
     -> anyhow::Result<()> {
        if status != want {
            bail!("{kind:?} answered {status}");
        }
        samples.push((kind, t.elapsed().as_micros() as u32));
        Ok(())
    };
    'outer: while Instant::now() < deadline {
        let t = Instant::now();
        let (s, created) = c.call("POST", "/v1/playback/sessions", Some(&body)).await?;
        timed(&mut samples, Kind::Create, t, s, 200)?;
        let created: Page = serde_json::from_slice(&created)?;
        let mut entity = created.data.entities.first().context("no entity")?.clone();
        let sid = entity.session_id.clone();
        for _ in 0..r.per_session {
            if Instant::now() >= deadline {
                break 'outer;
            }
            ts += 1000;
            let t = Instant::now();
            let (s, _) = c
                .call(
                    "POST",
                    "/v1/playback/event",
                    Some(&event(&entity, true, ts)),
                )
                .await?;
            timed(&mut samples, Kind::Start, t, s, 201)?;
            let t = Instant::now();
            let (s, _) = c
                .call("GET", &format!("/v1/playback/sessions/{sid}/current"), None)
                .await?;
            timed(&mut samples, Kind::Current, t, s, 200)?;
            let t = Instant::now();
            let (s, next) = c
                .call(
                    "GET",
                    &format!("/v1/playback/sessions/{sid}/next?limit=5"),
                    None,
                )
                .await?;
            timed(&mut samples, Kind::Next, t, s, 200)?;
            ts += 1000;
            let t = Instant::now();
            let (s, _) = c
                .call(
                    "POST",
                    "/v1/playback/event",
                    Some(&event(&entity, false, ts)),
                )
                .await?;
            timed(&mut samples, Kind::Stop, t, s, 201)?;
            let next: Page = serde_json::from_slice(&next)?;
            match next.data.entities.into_iter().next() {
                Some(e) => entity = e,
                None => break,
            }
        }
    }
    Ok(samples)
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn get(g: Get) -> anyhow::Result<()> {
    let body: Option<Value> = match &g.body {
        Some(b) => Some(serde_json::from_str(b).context("--body is not JSON")?),
        None => None,
    };
    let method = if body.is_some() { "POST" } else { "GET" };
    let body = Arc::new(body);
    let g = Arc::new(g);
    let deadline = Instant::now() + Duration::from_secs(g.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..g.connections {
        let g = g.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let headers = vec![
                ("x-api-key".to_string(), g.api_key.clone()),
                ("authorization".to_string(), format!("Bearer {}", g.token)),
            ];
            let mut c = Conn::open(&g.addr, headers).await?;
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let (status, _) = c.call(method, &g.path, body.as_ref().as_ref()).await?;
                if status != 200 {
                    bail!("{method} {} answered {status}", g.path);
                }
                lat.push(t.elapsed().as_micros() as u32);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await??);
    }
    lat.sort_unstable();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{method} {}{} | {} connections | {} requests | {:.0} req/s | p50 {:.2} ms | p99 {:.2} ms | max {:.2} ms",
        g.path,
        g.body.as_deref().map(|b| format!(" {b}")).unwrap_or_default(),
        g.connections,
        lat.len(),
        lat.len() as f64 / secs,
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&lat, 1.0)
    );
    Ok(())
}

/// The access tokens of a file, one per line.
fn read_tokens(path: &str) -> anyhow::Result<Vec<String>> {
    let tokens: Vec<String> = std::fs::read_to_string(path)
        .with_context(|| format!("reading the tokens in {path}"))?
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if tokens.is_empty() {
        bail!("no tokens in {path}");
    }
    Ok(tokens)
}

async fn run(r: Run) -> anyhow::Result<()> {
    let tokens = read_tokens(&r.tokens)?;
    let r = Arc::new(r);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(r.seconds);
    let mut tasks = Vec::new();
    for i in 0..r.connections {
        let token = tokens[i % tokens.len()].clone();
        tasks.push(tokio::spawn(device_loop(r.clone(), token, i, deadline)));
    }
    let mut all: Vec<(Kind, u32)> = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "context {} | {} connections | {:.1} s",
        r.context, r.connections, secs
    );
    println!(
        "{:<8} {:>9} {:>9} {:>8} {:>8} {:>8}",
        "kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    let mut kinds: Vec<Kind> = all.iter().map(|x| x.0).collect();
    kinds.sort();
    kinds.dedup();
    let mut lat_all: Vec<u32> = all.iter().map(|x| x.1).collect();
    lat_all.sort_unstable();
    for k in kinds {
        let mut l: Vec<u32> = all.iter().filter(|x| x.0 == k).map(|x| x.1).collect();
        l.sort_unstable();
        println!(
            "{:<8} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2}",
            format!("{k:?}").to_lowercase(),
            l.len(),
            l.len() as f64 / secs,
            pct(&l, 0.5),
            pct(&l, 0.99),
            pct(&l, 1.0)
        );
    }
    println!(
        "{:<8} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2}",
        "all",
        lat_all.len(),
        lat_all.len() as f64 / secs,
        pct(&lat_all, 0.5),
        pct(&lat_all, 0.99),
        pct(&lat_all, 1.0)
    );
    Ok(())
}
