//! `medley lambda`: the Alexa handler as an AWS Lambda function (a custom runtime). It asks the
//! Lambda Runtime API for the next invocation, answers its event (a Music Skill API directive)
//! exactly as `POST /alexa` does, posts the answer back, and waits for the next one.

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use medley_service::Medley;

const API: &str = "2018-06-01/runtime";

/// One request to the Runtime API (plain HTTP on the function's own host); status, request id
/// header and body.
async fn call(
    api: &str,
    method: Method,
    path: &str,
    body: Bytes,
) -> anyhow::Result<(u16, Option<String>, Bytes)> {
    let stream = tokio::net::TcpStream::connect(api)
        .await
        .with_context(|| format!("connecting to the Lambda Runtime API at {api}"))?;
    let (mut send, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let req = Request::builder()
        .method(method)
        .uri(format!("/{API}/{path}"))
        .header("host", api)
        .header("content-type", "application/json")
        .body(Full::new(body))?;
    let res = send.send_request(req).await?;
    let status = res.status().as_u16();
    let id = res
        .headers()
        .get("lambda-runtime-aws-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let body = res.into_body().collect().await?.to_bytes();
    Ok((status, id, body))
}

pub async fn run(medley: Medley, api: &str) -> anyhow::Result<()> {
    eprintln!("medley lambda polling http://{api}/{API}");
    let urls = medley_api::urls::Urls::of(&medley);
    loop {
        let (status, id, event) = call(api, Method::GET, "invocation/next", Bytes::new()).await?;
        anyhow::ensure!(
            status == 200,
            "the Runtime API answered {status} for the next invocation"
        );
        let id = id.context("the invocation came without a Lambda-Runtime-Aws-Request-Id")?;
        let answer = medley_api::alexa::answer(&medley, &urls, &event).await;
        let (status, _, body) = call(
            api,
            Method::POST,
            &format!("invocation/{id}/response"),
            Bytes::from(serde_json::to_vec(&answer.event)?),
        )
        .await?;
        if status != 202 {
            eprintln!(
                "medley lambda: the Runtime API refused the answer to {id} ({status}): {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
}
