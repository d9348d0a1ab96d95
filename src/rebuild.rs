//! `casus rebuild [VIEW]`: replays the log into fresh copies of the views'
//! tables and swaps them in, showing progress. All views rebuild in one pass
//! over the log: it is read and opened once.

use std::time::Instant;

use anyhow::Context;
use casus_projections::{rebuild::rebuild, views, View};
use casus_store::privacy::Keyring;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;

pub async fn run(pool: &PgPool, keyring: &Keyring, only: Option<&str>) -> anyhow::Result<()> {
    let all = views::all();
    let names: Vec<&str> = all.iter().map(|v| v.name()).collect();
    let chosen: Vec<&dyn View> = all
        .iter()
        .filter(|v| only.is_none_or(|name| v.name() == name))
        .map(|v| v.as_ref())
        .collect();
    if chosen.is_empty() {
        anyhow::bail!(
            "there is no view {:?}; the views are: {}",
            only.unwrap_or_default(),
            names.join(", ")
        );
    }
    let chosen_names: Vec<&str> = chosen.iter().map(|v| v.name()).collect();
    let style = ProgressStyle::with_template(
        "[{bar:30}] {human_pos}/{human_len} events, {rate}, {elapsed_precise}",
    )?
    .with_key("rate", crate::words::rate("events"))
    .progress_chars("=> ");
    let bar = ProgressBar::new(0).with_style(style);
    let started = Instant::now();
    let rebuilt = rebuild(pool, keyring, &chosen, |applied, total| {
        bar.set_length(total);
        bar.set_position(applied);
    })
    .await
    .with_context(|| {
        format!(
            "rebuilding {} failed; the live views are unchanged",
            chosen_names.join(", ")
        )
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let rate = rebuilt.events as f64 / seconds.max(f64::EPSILON);
    for name in &chosen_names {
        println!(
            "{name}: rebuilt from {} events in {seconds:.1} s ({rate:.0} events/s)",
            rebuilt.events
        );
    }
    if only.is_none() {
        println!("all views rebuilt in one pass over the log in {seconds:.1} s");
    }
    Ok(())
}
