//! `casus token`: a development token, signed with the development key
//! under the data directory (made on first use).

use std::path::Path;

use casus_api::auth::dev::{self, DevKey};
use casus_api::auth::Claims;

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The user's id (the identity provider's subject).
    #[arg(long)]
    pub sub: String,
    /// The user's name, as it will appear in the case history.
    #[arg(long)]
    pub name: String,
    /// The user's organisation.
    #[arg(long)]
    pub org: String,
    /// The domain the user works in: social or justice.
    #[arg(long)]
    pub domain: String,
    /// Comma-separated: case_worker, case_lead, supervisor, auditor, privacy_officer, analyst, admin.
    #[arg(long, value_delimiter = ',', required = true)]
    pub roles: Vec<String>,
    /// The municipality's CBS code (e.g. GM0599); leave out for a national scope.
    #[arg(long)]
    pub municipality: Option<String>,
    /// The user's team.
    #[arg(long)]
    pub team: Option<String>,
    /// How long the token is valid, in hours.
    #[arg(long, default_value_t = 8)]
    pub hours: i64,
}

pub fn run(args: TokenArgs, data_dir: &Path, production: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        !production,
        "development tokens are refused when CASUS_ENV=production: get a token from the identity provider"
    );
    anyhow::ensure!(args.hours > 0, "--hours must be at least 1");
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: args.sub,
        name: args.name,
        org: args.org,
        domain: args.domain,
        roles: args.roles,
        municipality: args.municipality,
        team: args.team,
        iss: dev::ISSUER.into(),
        aud: dev::AUDIENCE.into(),
        exp: now + args.hours * 3600,
        nbf: Some(now),
        iat: Some(now),
    };
    // Refuse here what the server would refuse, with the same message.
    claims
        .clone()
        .into_principal()
        .map_err(|problem| anyhow::anyhow!("{problem}"))?;
    let key = DevKey::load_or_create(data_dir)?;
    println!("{}", key.sign(&claims));
    Ok(())
}
