//! `casus rebuild [VIEW]`: replays the log into fresh copies of a view's
//! tables and swaps them in, showing progress.

use std::time::Instant;

use anyhow::Context;
use casus_projections::{rebuild::rebuild, views};
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;

pub async fn run(pool: &PgPool, only: Option<&str>) -> anyhow::Result<()> {
    let all = views::all();
    let names: Vec<&str> = all.iter().map(|v| v.name()).collect();
    let chosen: Vec<_> = all
        .iter()
        .filter(|v| only.is_none_or(|name| v.name() == name))
        .collect();
    if chosen.is_empty() {
        anyhow::bail!(
            "there is no view {:?}; the views are: {}",
            only.unwrap_or_default(),
            names.join(", ")
        );
    }
    let style = ProgressStyle::with_template(
        "{prefix:>18} [{bar:30}] {human_pos}/{human_len} events, {per_sec}, {elapsed_precise}",
    )?
    .progress_chars("=> ");
    for view in chosen {
        let bar = ProgressBar::new(0)
            .with_style(style.clone())
            .with_prefix(view.name());
        let started = Instant::now();
        let rebuilt = rebuild(pool, view.as_ref(), |applied, total| {
            bar.set_length(total);
            bar.set_position(applied);
        })
        .await
        .with_context(|| {
            format!(
                "rebuilding {} failed; the live view is unchanged",
                view.name()
            )
        })?;
        bar.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{}: rebuilt from {} events in {seconds:.1} s ({:.0} events/s)",
            view.name(),
            rebuilt.events,
            rebuilt.events as f64 / seconds.max(f64::EPSILON)
        );
    }
    Ok(())
}
