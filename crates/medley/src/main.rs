//! `medley`: the command line README documents.

mod alexa_catalogs;
mod cli;
mod config;
mod http;
mod lambda;

use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};
use medley_core::ids::UserId;
use medley_service::accounts::{NewClient, NewUser};
use medley_service::{Medley, SystemClock};
use medley_store::Store;
use medley_store::Visibility;
use medley_store_postgres::PgStore;
use medley_store_sqlite::SqliteStore;

use cli::{AlexaCommand, CatalogCommand, Cli, ClientCommand, Command, TokenCommand, UserCommand};

fn main() {
    let matches = Cli::command().args(config::flags()).get_matches();
    let code = match Cli::from_arg_matches(&matches)
        .map_err(anyhow::Error::from)
        .and_then(|cli| {
            let config = config::Config::load(&matches, cli.store.config.as_deref())?;
            run(cli, config)
        }) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("medley: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli, config: config::Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let store: Arc<dyn Store> = match config.database()? {
            config::Database::Sqlite(path) => Arc::new(
                SqliteStore::open(&path)
                    .with_context(|| format!("opening the store at {}", path.display()))?,
            ),
            config::Database::Postgres(url) => Arc::new(
                PgStore::connect(&url)
                    .await
                    .context("opening the PostgreSQL store")?,
            ),
        };
        let files = config.files_dir()?;
        if matches!(cli.command, Command::Lambda(_)) && config.public_url.is_none() {
            anyhow::bail!("medley lambda needs the public_url setting (MEDLEY_PUBLIC_URL): the Medley that serves the media");
        }
        // `serve` binds first, so the links it hands out name the port it got.
        let listener = match &cli.command {
            Command::Serve(_) => Some(
                tokio::net::TcpListener::bind(&config.bind)
                    .await
                    .with_context(|| format!("binding {}", config.bind))?,
            ),
            _ => None,
        };
        let bound = listener.as_ref().map(|l| l.local_addr()).transpose()?;
        let medley = Medley::new(
            store,
            Arc::new(SystemClock),
            config.service_settings(&files, bound),
        );
        let teller = medley.clone();
        let done = match cli.command {
            Command::Serve(s) => {
                // The demo's generated songs live beside the database.
                let audio = files.join("demo-audio");
                let limits = http::Limits {
                    header_timeout: std::time::Duration::from_secs(config.header_timeout_secs.max(1)),
                    max_connections: config.max_connections.max(1),
                };
                let listener = listener.expect("bound above");
                serve(medley, listener, s, &config, &audio, limits).await
            }
            Command::Lambda(l) => {
                medley.follow_others();
                lambda::run(medley, &l.runtime_api).await
            }
            Command::Alexa(AlexaCommand::Catalogs { out, locales }) => {
                let now = medley.clock.now_ms();
                for w in alexa_catalogs::write(&medley, &out, &locales, now).await? {
                    println!(
                        "{}: {} {} entities ({} new, {} changed, {} deleted)",
                        w.file.display(),
                        w.entities,
                        w.kind,
                        w.new,
                        w.changed,
                        w.deleted
                    );
                }
                Ok(())
            }
            Command::Catalog(CatalogCommand::Import { path }) if path.is_dir() => {
                import_folder(&medley, &path).await
            }
            Command::Catalog(CatalogCommand::Import { path }) => {
                let sum = medley.library.import_catalog_path(&path).await?;
                println!(
                    "imported {} artists, {} albums, {} tracks, {} playlists, {} podcast shows from {}",
                    sum.artists,
                    sum.albums,
                    sum.tracks,
                    sum.playlists,
                    sum.podcast_shows,
                    path.display()
                );
                Ok(())
            }
            Command::User(UserCommand::Add(a)) => {
                let new = NewUser {
                    name: a.name,
                    tier: a.tier.into(),
                    max_streams: a.max_streams,
                    visibility: a.visibility.into(),
                    playback_visibility: a.playback_visibility.into(),
                    admin: a.admin,
                };
                let user = if a.password_stdin {
                    let password = password_from_stdin()?;
                    medley.accounts.add_user_signing_in(new, &password).await?
                } else {
                    medley.accounts.add_user(new).await?
                };
                println!("{}", user.id);
                Ok(())
            }
            Command::User(UserCommand::List) => {
                for u in medley.accounts.all_users().await? {
                    let role = if u.admin { "admin" } else { "member" };
                    println!("{}\t{}\t{}\t{}\t{role}", u.id, u.name, u.tier.as_str(), u.max_streams);
                }
                Ok(())
            }
            Command::User(UserCommand::Admin { user, off }) => {
                medley.accounts.set_admin(&user_of(&medley, &user).await?, !off).await?;
                Ok(())
            }
            Command::User(UserCommand::Plan {
                user,
                tier,
                max_streams,
            }) => {
                let u = medley.accounts
                    .set_plan(&user_of(&medley, &user).await?, tier.into(), max_streams)
                    .await?;
                println!("{} {} {}", u.id, u.tier.as_str(), u.max_streams);
                Ok(())
            }
            Command::User(UserCommand::Passwd { user }) => {
                let password = password_from_stdin()?;
                medley.accounts.set_password(&user_of(&medley, &user).await?, &password).await?;
                Ok(())
            }
            Command::Client(ClientCommand::Add {
                name,
                redirect_uris,
                public,
            }) => {
                let confidential = !redirect_uris.is_empty() && !public;
                let (client, secret) = medley.accounts
                    .add_client(NewClient {
                        name,
                        redirect_uris,
                        confidential,
                    })
                    .await?;
                println!("{}", client.api_key);
                if let Some(secret) = secret {
                    println!("{secret}");
                }
                Ok(())
            }
            Command::Token(TokenCommand::Revoke { user, client }) => {
                medley.accounts.unlink(&user_of(&medley, &user).await?, client.as_deref()).await?;
                Ok(())
            }
            Command::Token(TokenCommand::Issue(t)) => {
                let scopes = t
                    .scopes
                    .map(|s| s.split_whitespace().map(String::from).collect());
                let user = user_of(&medley, &t.user).await?;
                println!(
                    "{}",
                    medley.accounts.issue_token(&user, &t.client, scopes, t.ttl).await?
                );
                Ok(())
            }
        };
        // What a command changed, the running nodes must hear before it exits.
        teller.told().await;
        done
    })
}

/// `[#####-----]  50% 10/20 files`: how far a scan is, `width` characters of bar.
fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    format!(
        "[{}{}] {percent:>3}% {done}/{total} files",
        "#".repeat(filled),
        "-".repeat(width - filled)
    )
}

/// Scans a folder of audio files, with a progress bar on a terminal; prints a summary and
/// the files it skipped (on stderr).
async fn import_folder(medley: &Medley, path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};
    let terminal = std::io::stderr().is_terminal();
    let progress = Box::new(move |done: usize, total: usize| {
        if terminal && (done.is_multiple_of(50) || done == total) {
            eprint!("\rscanning {}", progress_bar(done, total, 30));
            let _ = std::io::stderr().flush();
            if done == total {
                eprintln!();
            }
        }
    });
    let (sum, scan) = medley.library.import_folder(path, progress).await?;
    for (file, why) in &scan.skipped {
        eprintln!("skipped {}: {why}", file.display());
    }
    println!(
        "imported {} artists, {} albums, {} tracks from {} audio files in {} ({} skipped, {} retired)",
        sum.artists,
        sum.albums,
        sum.tracks,
        scan.files,
        path.display(),
        scan.skipped.len(),
        sum.retired
    );
    Ok(())
}

impl From<cli::VisibilityArg> for Visibility {
    fn from(v: cli::VisibilityArg) -> Self {
        match v {
            cli::VisibilityArg::Public => Visibility::Public,
            cli::VisibilityArg::Private => Visibility::Private,
        }
    }
}

async fn serve(
    medley: Medley,
    listener: tokio::net::TcpListener,
    s: cli::Serve,
    config: &config::Config,
    demo_audio: &std::path::Path,
    limits: http::Limits,
) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .with_context(|| format!("the log setting '{}'", config.log))?;
    // Colour codes only for a person at a terminal, never in a file or the journal.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .init();
    let addr = listener.local_addr()?;
    if addr.ip().is_unspecified() && config.public_url.is_none() {
        tracing::warn!(
            "listening on every address ({addr}) with no public URL: the links Medley writes \
             (media, images, other apps' sign-in) name {}, which other machines cannot open; \
             set public_url (MEDLEY_PUBLIC_URL) to the address people use",
            medley.settings.public_url
        );
    }
    medley.follow_others();
    medley.accounts.ensure_player_client().await?;
    if s.demo {
        match medley.ensure_demo(Some(demo_audio)).await? {
            Some(demo) => {
                let url = medley.settings.public_url.clone();
                if demo.seeded {
                    eprintln!("seeded the demo catalog, user {} and client", demo.user_id);
                }
                println!(
                    "# the web player: {url}/ (sign in as {} with the password {}; user {})",
                    medley_service::demo::DEMO_NAME,
                    medley_service::demo::DEMO_PASSWORD,
                    demo.user_id,
                );
                println!(
                    "curl --request POST '{url}/v1/playback/sessions' \\\n  --header 'x-api-key: {}' \\\n  --header 'Authorization: Bearer {}' \\\n  --header 'X-Amzn-Device-Id: demo-device' \\\n  --header 'Content-Type: application/json' \\\n  --data '{{\"playParams\": {{\"id\": \"mrn:1.0:catalog:track:asin:B084KVZP2G\", \"containerIds\": [\"mrn:1.0:catalog:album:asin:B084KYMDXT\"]}}, \"limit\": 5}}'",
                    demo.api_key, demo.token
                );
            }
            None => eprintln!("--demo: the store already has users of its own; no demo seeded"),
        }
    }
    let rescan = (config.rescan_minutes > 0)
        .then(|| std::time::Duration::from_secs(config.rescan_minutes * 60));
    medley.folders.start(rescan);
    // Scripts and tests read this line to find the port of `--bind 127.0.0.1:0`.
    eprintln!("medley listening on http://{addr}");
    // Sessions past their restore window are gone for good; clear them out hourly.
    let purger = medley.playback.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match purger.purge_expired_sessions().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("purged {n} expired playback sessions"),
                Err(e) => tracing::warn!("purging expired sessions: {e}"),
            }
        }
    });
    let app = medley_api::router(medley);
    http::serve(listener, app, limits, shutdown())
        .await
        .context("serving HTTP")
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The user named on the command line, by id or by name.
async fn user_of(medley: &Medley, login: &str) -> anyhow::Result<UserId> {
    Ok(medley.accounts.find_user(login).await?.id)
}

/// A password from standard input: its first line, without the line break.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(test)]
mod tests {
    use super::progress_bar;

    #[test]
    fn the_progress_bar_fills_with_the_scan() {
        assert_eq!(progress_bar(0, 20, 10), "[----------]   0% 0/20 files");
        assert_eq!(progress_bar(10, 20, 10), "[#####-----]  50% 10/20 files");
        assert_eq!(progress_bar(20, 20, 10), "[##########] 100% 20/20 files");
        assert_eq!(progress_bar(0, 0, 4), "[####] 100% 0/0 files");
    }
}
