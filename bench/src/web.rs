//! The web interface's two main pages under the seed, beside the API's
//! reads of the same: the case list ("Mijn casussen") and the case page, as
//! the seeded team `rotterdam-zuid-1`'s demo worker sees them.

use std::time::Instant;

use casus_api::auth::dev;
use casus_api::auth::Claims;
use casus_api::{Settings, WebSettings};
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use sqlx::PgPool;

use crate::figures::figure;
use crate::http::Served;
use crate::measure::{percentile, Figure};

const ROUNDS: usize = 100;

pub async fn pages(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
) -> anyhow::Result<Vec<Figure>> {
    let settings = Settings {
        web: WebSettings {
            demo_login: true,
            secure_cookies: false,
            oidc: None,
        },
        ..Settings::default()
    };
    let served = Served::start_with(pool, keyring, signer, settings).await?;
    let site = served.base.trim_end_matches("/api/v1").to_owned();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    browser
        .post(format!("{site}/inloggen"))
        .form(&[("user", "w-sanne")])
        .send()
        .await?
        .error_for_status()?;
    let now = chrono::Utc::now().timestamp();
    let token = served.sign(&Claims {
        sub: "w-sanne".into(),
        name: "Sanne de Vries".into(),
        org: "gemeente-rotterdam".into(),
        domain: "social".into(),
        roles: vec!["case_worker".into(), "case_lead".into()],
        municipality: Some("GM0599".into()),
        team: Some("rotterdam-zuid-1".into()),
        iss: dev::ISSUER.into(),
        aud: dev::AUDIENCE.into(),
        exp: now + 3600,
        nbf: Some(now - 5),
        iat: Some(now),
    });
    let cases: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select case_id from caseload where team = 'rotterdam-zuid-1' and stage <> 'closed'
          order by case_id limit $1",
    )
    .bind(ROUNDS as i64)
    .fetch_all(pool)
    .await?;
    anyhow::ensure!(
        !cases.is_empty(),
        "the seed has no open case in rotterdam-zuid-1"
    );

    let mut timings: [Vec<f64>; 4] = Default::default();
    for round in 0..ROUNDS {
        let case = cases[round % cases.len()];
        let api = &served.base;
        let requests = [
            browser.get(format!("{site}/casussen")),
            served
                .client
                .get(format!("{api}/cases?limit=25"))
                .bearer_auth(&token),
            browser.get(format!("{site}/casussen/{case}")),
            served
                .client
                .get(format!("{api}/cases/{case}"))
                .bearer_auth(&token),
        ];
        for (n, request) in requests.into_iter().enumerate() {
            let began = Instant::now();
            let answer = request.send().await?.error_for_status()?;
            answer.bytes().await?;
            let mut ms = began.elapsed().as_secs_f64() * 1000.0;
            if n == 3 {
                // The API's case read beside the page: the case and its timeline.
                let began = Instant::now();
                served
                    .client
                    .get(format!("{api}/cases/{case}/timeline"))
                    .bearer_auth(&token)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                ms += began.elapsed().as_secs_f64() * 1000.0;
            }
            timings[n].push(ms);
        }
    }
    served.server.stop().await?;
    for timing in &mut timings {
        timing.sort_by(f64::total_cmp);
    }
    let [list_page, list_api, case_page, case_api] = timings;
    let pair = |page: &[f64], api: &[f64]| {
        (
            format!(
                "{:.1} / {:.1}",
                percentile(page, 0.5),
                percentile(page, 0.99)
            ),
            format!(
                "{:.1} / {:.1} API",
                percentile(api, 0.5),
                percentile(api, 0.99)
            ),
            crate::figures::ratio(percentile(page, 0.99), percentile(api, 0.99)),
        )
    };
    let (list, list_baseline, list_ratio) = pair(&list_page, &list_api);
    let (case, case_baseline, case_ratio) = pair(&case_page, &case_api);
    Ok(vec![
        figure(
            "web: Mijn casussen (25 cases), p50 / p99 ms",
            list,
            list_baseline,
            list_ratio,
            "",
        ),
        figure(
            "web: the case page (case and timeline), p50 / p99 ms",
            case,
            case_baseline,
            case_ratio,
            "",
        ),
    ])
}
