//! `casus rebuild [VIEW]`: replays the log into fresh copies of a view's
//! tables and swaps them in, showing progress. Several views rebuild side by
//! side: each has its own tables, checkpoint and lock.

use std::time::Instant;

use anyhow::Context;
use casus_projections::{rebuild::rebuild, views, View};
use casus_store::privacy::Keyring;
use futures::future::try_join_all;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use sqlx::PgPool;

pub async fn run(pool: &PgPool, keyring: &Keyring, only: Option<&str>) -> anyhow::Result<()> {
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
        "{prefix:>18} [{bar:30}] {human_pos}/{human_len} events, {rate}, {elapsed_precise}",
    )?
    .with_key("rate", crate::words::rate("events"))
    .progress_chars("=> ");
    let bars = MultiProgress::new();
    let started = Instant::now();
    let rebuilds = chosen.into_iter().map(|view| {
        let bar = bars.add(
            ProgressBar::new(0)
                .with_style(style.clone())
                .with_prefix(view.name()),
        );
        rebuild_one(pool, keyring, view.as_ref(), bar)
    });
    let reports = try_join_all(rebuilds).await?;
    bars.clear()?;
    for report in reports {
        println!("{report}");
    }
    if only.is_none() {
        println!(
            "all views rebuilt in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

async fn rebuild_one(
    pool: &PgPool,
    keyring: &Keyring,
    view: &dyn View,
    bar: ProgressBar,
) -> anyhow::Result<String> {
    let started = Instant::now();
    let rebuilt = rebuild(pool, keyring, view, |applied, total| {
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
    bar.finish();
    let seconds = started.elapsed().as_secs_f64();
    Ok(format!(
        "{}: rebuilt from {} events in {seconds:.1} s ({:.0} events/s)",
        view.name(),
        rebuilt.events,
        rebuilt.events as f64 / seconds.max(f64::EPSILON)
    ))
}
