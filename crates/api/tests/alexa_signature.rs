//! Alexa's request signatures on `/alexa` once the skill id is configured, against a locally
//! generated certificate chain (a root, an intermediate, and a signing certificate for
//! echo-api.amazon.com whose RSA key is `fixtures/alexa-test-signing-key.pem`, made for these
//! tests only): a signed directive is answered; an unsigned, tampered, wrongly signed or
//! untrusted one, one whose chain URL is not Amazon's, whose certificate expired or is for
//! another name, or that names another skill, gets 400 INVALID_SIGNATURE.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use common::alexa::directive_in;
use common::TestApp;
use http_body_util::BodyExt;
use medley_api::alexa::signature::{CertChains, Trust};
use medley_service::Settings;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use serde_json::{json, Value};
use tower::ServiceExt;
use url::Url;

const SKILL: &str = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555";
const CHAIN: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem";
const KEY: &str = include_str!("fixtures/alexa-test-signing-key.pem");

/// Chains served from memory, counting the fetches.
#[derive(Default)]
struct LocalChains {
    files: HashMap<String, Vec<u8>>,
    fetches: AtomicUsize,
}

impl CertChains for LocalChains {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let file = self.files.get(url.as_str()).cloned();
        Box::pin(async move { file.ok_or_else(|| format!("{url}: 404")) })
    }
}

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn ca(name: &str, parent: Option<&Ca>) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2030, 1, 1);
    let cert = match parent {
        Some(parent) => p.signed_by(&key, &parent.issuer).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(p, key),
    }
}

/// A signing certificate for `name`, valid from `from` to `until` (years), under `ca`.
fn signer(name: &str, from: i32, until: i32, ca: &Ca) -> String {
    let key = KeyPair::from_pkcs8_pem_and_sign_algo(KEY, &rcgen::PKCS_RSA_SHA256).unwrap();
    let mut p = CertificateParams::new(vec![name.to_string()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.not_before = date_time_ymd(from, 1, 1);
    p.not_after = date_time_ymd(until, 1, 1);
    p.signed_by(&key, &ca.issuer).unwrap().pem()
}

fn sign(body: &[u8]) -> String {
    let der = pki_der(KEY);
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        body,
        &mut sig,
    )
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(sig)
}

fn pki_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

async fn post(app: &TestApp, headers: &[(&str, String)], body: &[u8]) -> (u16, Value) {
    let mut req = Request::post("/alexa").header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::from(body.to_vec())).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn signed(url: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("SignatureCertChainUrl", url.to_string()),
        ("Signature-256", sign(body)),
    ]
}

#[tokio::test]
async fn only_requests_alexa_signed_for_this_skill_are_answered() {
    let root = ca("Test Root CA", None);
    let intermediate = ca("Test Intermediate CA", Some(&root));
    let stranger = ca("Some Other Root", None);
    let good = signer("echo-api.amazon.com", 2026, 2028, &intermediate);
    let mut chains = LocalChains::default();
    let mut put = |name: &str, certs: &[&str]| {
        let url = format!("https://s3.amazonaws.com/echo.api/{name}");
        chains
            .files
            .insert(url.clone(), certs.concat().into_bytes());
        url
    };
    let expired = put(
        "expired.pem",
        &[
            &signer("echo-api.amazon.com", 2025, 2026, &intermediate),
            &intermediate.pem,
        ],
    );
    let other_name = put(
        "other.pem",
        &[
            &signer("echo-api.example.com", 2026, 2028, &intermediate),
            &intermediate.pem,
        ],
    );
    let untrusted = put(
        "untrusted.pem",
        &[
            &signer("echo-api.amazon.com", 2026, 2028, &stranger),
            &stranger.pem,
        ],
    );
    let no_intermediate = put("alone.pem", &[&good]);
    let not_pem = put("garbage.pem", &["this is not a certificate"]);
    chains.files.insert(
        CHAIN.into(),
        format!("{good}{}", intermediate.pem).into_bytes(),
    );
    let chains = Arc::new(chains);

    let settings = Settings {
        alexa_skill_id: Some(SKILL.into()),
        ..Settings::default()
    };
    let mut app = TestApp::with_settings(settings).await;
    let roots = vec![webpki_root(&root.pem)];
    let served = chains.clone();
    app.router = medley_api::router_with_alexa_trust(app.medley.clone(), move || Trust {
        roots,
        chains: served,
    });

    let directive = directive_in(
        "Alexa.Media.Search",
        "GetPlayableContent",
        &app.token,
        json!({"filters": {"explicitLanguageAllowed": true},
               "selectionCriteria": {"attributes": [{"type": "ALBUM", "entityId": "B084KYMDXT"}]}}),
    );
    let body = directive.to_string().into_bytes();

    // Signed by Alexa: answered, as often as asked, with the chain fetched once.
    for _ in 0..3 {
        let (status, r) = post(&app, &signed(CHAIN, &body), &body).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["header"]["name"], "GetPlayableContent.Response", "{r}");
    }
    assert_eq!(chains.fetches.load(Ordering::SeqCst), 1);

    let refused = |why: &'static str| {
        move |(status, r): (u16, Value)| {
            assert_eq!(status, 400, "{why}: {r}");
            assert_eq!(r["code"], "INVALID_SIGNATURE", "{why}: {r}");
            r["message"].as_str().unwrap().to_string()
        }
    };
    let msg = refused("unsigned")(post(&app, &[], &body).await);
    assert!(
        msg.contains("SignatureCertChainUrl and Signature-256"),
        "{msg}"
    );

    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("B084KYMDXT", "B08KBXTZ7X");
    let msg = refused("tampered")(post(&app, &signed(CHAIN, &body), tampered.as_bytes()).await);
    assert!(msg.contains("does not match the body"), "{msg}");

    let mut bad_b64 = signed(CHAIN, &body);
    bad_b64[1].1 = "%%%".into();
    refused("not base64")(post(&app, &bad_b64, &body).await);

    let before = chains.fetches.load(Ordering::SeqCst);
    for url in [
        "http://s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
        "https://notamazon.com/echo.api/echo-api-cert-12.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-12.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert-12.pem",
        "https://s3.amazonaws.com/echo.api/../x/echo-api-cert-12.pem",
    ] {
        let msg = refused("not Amazon's bucket")(post(&app, &signed(url, &body), &body).await);
        assert!(msg.contains("SignatureCertChainUrl"), "{msg}");
    }
    assert_eq!(
        chains.fetches.load(Ordering::SeqCst),
        before,
        "nothing is fetched from elsewhere"
    );
    // The URL rules allow `..` back into the bucket, and port 443.
    for url in [
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-12.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert-12.pem",
    ] {
        let (status, r) = post(&app, &signed(url, &body), &body).await;
        assert_eq!(status, 200, "{url}: {r}");
    }

    let msg = refused("expired")(post(&app, &signed(&expired, &body), &body).await);
    assert!(msg.contains("not trusted now"), "{msg}");
    let msg = refused("another name")(post(&app, &signed(&other_name, &body), &body).await);
    assert!(msg.contains("not for echo-api.amazon.com"), "{msg}");
    refused("untrusted root")(post(&app, &signed(&untrusted, &body), &body).await);
    refused("no intermediate")(post(&app, &signed(&no_intermediate, &body), &body).await);
    refused("not PEM")(post(&app, &signed(&not_pem, &body), &body).await);
    let missing = "https://s3.amazonaws.com/echo.api/missing.pem";
    refused("no chain there")(post(&app, &signed(missing, &body), &body).await);

    // A request that names a skill must name this one.
    for (skill, ok) in [(SKILL, true), ("amzn1.ask.skill.someone-else", false)] {
        let mut named = directive.clone();
        named["context"] = json!({"System": {"application": {"applicationId": skill}}});
        let named = named.to_string().into_bytes();
        let (status, r) = post(&app, &signed(CHAIN, &named), &named).await;
        if ok {
            assert_eq!(status, 200, "{r}");
        } else {
            assert!(refused("another skill")((status, r)).contains("someone-else"));
        }
    }

    // Nothing was played or changed by what was refused: the unsigned answer is an error
    // before any directive ran, and the Web API is not affected by the check.
    app.get("/v1/me").send().await.expect(200);
}

fn webpki_root(pem: &str) -> pki_types::TrustAnchor<'static> {
    let der = pki_types::CertificateDer::from(pki_der(pem));
    webpki::anchor_from_trusted_cert(&der).unwrap().to_owned()
}
