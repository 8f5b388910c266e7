//! The command line (README, "The command line"), exactly: scripts and operators depend on it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "medley",
    version,
    about = "A self-hostable music streaming service"
)]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// What every subcommand takes besides the settings (`config::flags`).
#[derive(Args, Clone, Debug)]
pub struct StoreArgs {
    /// A TOML configuration file (see docs/medley.example.toml); flags and MEDLEY_* environment
    /// override what it says.
    #[arg(long, env = "MEDLEY_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve HTTP.
    Serve(Serve),
    /// Manage the catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage client applications (security profiles).
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Work with the Alexa music skill.
    #[command(subcommand)]
    Alexa(AlexaCommand),
    /// Answer Alexa directives as an AWS Lambda function (custom runtime), as POST /alexa does.
    Lambda(Lambda),
}

#[derive(Subcommand)]
pub enum AlexaCommand {
    /// Write the library as Alexa music catalogs (artists.json, albums.json, tracks.json,
    /// playlists.json, genres.json) for the skill to upload; export into the same folder each
    /// time, which remembers what it wrote before.
    Catalogs {
        #[arg(long)]
        out: PathBuf,
        /// A locale the catalogs are for (repeat for several).
        #[arg(long = "locale", default_value = "en-US")]
        locales: Vec<crate::alexa_catalogs::Locale>,
    },
}

#[derive(Args)]
pub struct Lambda {
    /// The Lambda Runtime API (host:port); Lambda sets it.
    #[arg(long, env = "AWS_LAMBDA_RUNTIME_API")]
    pub runtime_api: String,
}

#[derive(Args)]
pub struct Serve {
    /// On an empty store, import the demo catalog and create a demo user, client and token;
    /// print a ready-to-run curl command.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Import a catalog JSON file (docs/catalog-file.md), or scan a folder of audio files
    /// (FLAC, MP3, Ogg, Opus, M4A, AAC, WAV) and import what their tags say; scanning the
    /// same folder again adds new files, updates changed ones and retires the ones gone.
    Import {
        /// The catalog file, or the music folder.
        path: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; prints its id.
    Add(UserAdd),
    /// List the users, by name: id, name, tier, stream limit and role (admin or member),
    /// separated by tabs.
    List,
    /// Make a user an admin (the admin page: users, music folders), or with --off no longer.
    Admin {
        /// The user's id, or their name if no one else has it.
        #[arg(long)]
        user: String,
        #[arg(long)]
        off: bool,
    },
    /// Set the password a user signs in with, read from standard input.
    Passwd {
        /// The user's id, or their name if no one else has it.
        #[arg(long)]
        user: String,
    },
    /// Change a user's tier (and stream limit); every running node honours it within a second.
    Plan {
        /// The user's id, or their name if no one else has it.
        #[arg(long)]
        user: String,
        #[arg(long, value_enum)]
        tier: TierArg,
        /// How many streams at once; unchanged if not given.
        #[arg(long)]
        max_streams: Option<u32>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum TierArg {
    Unlimited,
    Prime,
    Free,
}

impl From<TierArg> for medley_core::policy::Tier {
    fn from(t: TierArg) -> Self {
        match t {
            TierArg::Unlimited => Self::Unlimited,
            TierArg::Prime => Self::Prime,
            TierArg::Free => Self::Free,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum VisibilityArg {
    Public,
    Private,
}

#[derive(Args)]
pub struct UserAdd {
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum, default_value = "UNLIMITED")]
    pub tier: TierArg,
    #[arg(long, default_value_t = 1)]
    pub max_streams: u32,
    #[arg(long, value_enum, default_value = "PUBLIC")]
    pub visibility: VisibilityArg,
    #[arg(long, value_enum, default_value = "PUBLIC")]
    pub playback_visibility: VisibilityArg,
    /// Read the password the user signs in with from standard input (its first line).
    #[arg(long)]
    pub password_stdin: bool,
    /// An admin: runs the house from the admin page (users, music folders).
    #[arg(long)]
    pub admin: bool,
}

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Register a client application; prints its x-api-key (its OAuth client_id), and for a
    /// confidential OAuth client its secret on the next line, shown this once.
    Add {
        #[arg(long)]
        name: String,
        /// Where sign-in may send the user back (repeat for several): makes it an OAuth client.
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// An app on the user's device, which cannot keep a secret: no secret, PKCE alone.
        #[arg(long)]
        public: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Issue an access token; prints the token.
    Issue(TokenIssue),
    /// Unlink: end a user's refresh and access tokens, of one client or of all.
    Revoke {
        /// The user's id, or their name if no one else has it.
        #[arg(long)]
        user: String,
        #[arg(long)]
        client: Option<String>,
    },
}

#[derive(Args)]
pub struct TokenIssue {
    /// The user's id, or their name if no one else has it.
    #[arg(long)]
    pub user: String,
    #[arg(long)]
    pub client: String,
    /// Space-separated scopes (default: every music:: scope).
    #[arg(long)]
    pub scopes: Option<String>,
    #[arg(long, default_value_t = 3600)]
    pub ttl: i64,
}
