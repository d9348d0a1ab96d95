//! The master key that wraps every young person's data key.

use std::path::Path;

use casus_store::privacy::index::index_missing;
use casus_store::privacy::{Keyring, MasterKey};

use crate::secret::KeyFile;

/// Where the master key is: `CASUS_MASTER_KEY`, or in development a key
/// Casus makes under the data directory when first needed.
pub fn master_key_file(
    configured: Option<&Path>,
    data_dir: &Path,
    production: bool,
) -> anyhow::Result<KeyFile> {
    KeyFile::resolve(
        configured,
        data_dir,
        production,
        "CASUS_MASTER_KEY",
        "master key (64 hexadecimal characters) that seals personal data",
        "master-key",
        MasterKey::generate_hex,
    )
}

/// The keyring of the master key in `file`.
pub fn keyring(file: &KeyFile) -> anyhow::Result<Keyring> {
    Ok(Keyring::new(MasterKey::read(file.open()?)?))
}

/// `casus rotate-master-key --to FILE`: wraps every data key with the new
/// master key instead, in one transaction. Stop every Casus first, and start
/// them again with `CASUS_MASTER_KEY` pointing at the new file.
pub async fn rotate(pool: &sqlx::PgPool, from: &Keyring, to: &Path) -> anyhow::Result<()> {
    let to = Keyring::new(MasterKey::read(to)?);
    anyhow::ensure!(
        to.master_id() != from.master_id(),
        "the new master key is the current one"
    );
    let mut tx = pool.begin().await?;
    let keys: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
        "select subject_id, wrapped from subject_keys where wrapped is not null for update",
    )
    .fetch_all(&mut *tx)
    .await?;
    // The blind index's key derives from the master key: its entries are
    // made again under the new one, in the same transaction.
    sqlx::query("delete from subject_index")
        .execute(&mut *tx)
        .await?;
    index_missing(&mut tx, from, &to).await?;
    let mut subjects = Vec::with_capacity(keys.len());
    let mut wrapped = Vec::with_capacity(keys.len());
    for (subject, key) in &keys {
        subjects.push(*subject);
        wrapped.push(from.rewrap(*subject, key, &to)?);
    }
    sqlx::query(
        "update subject_keys k set wrapped = n.wrapped, master_key_id = $3
           from unnest($1::uuid[], $2::bytea[]) as n(subject_id, wrapped)
          where k.subject_id = n.subject_id",
    )
    .bind(&subjects)
    .bind(&wrapped)
    .bind(to.master_id())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    println!(
        "{} data keys now wrapped by master key {}; start Casus with CASUS_MASTER_KEY set to the new file",
        keys.len(),
        to.master_id()
    );
    Ok(())
}

/// Indexes the young people the blind index does not have yet (a database
/// from before it): at start, before any search.
pub async fn index_young_people(pool: &sqlx::PgPool, keyring: &Keyring) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let indexed = index_missing(&mut tx, keyring, keyring).await?;
    tx.commit().await?;
    if indexed > 0 {
        tracing::info!(indexed, "young people added to the blind index");
    }
    Ok(())
}
