//! [`ScoringCounts`]: the additive counts a team's naive-Bayes scoring model learns from, as a
//! document of CRDT counters.
//!
//! The model is a table of (feature key, feature value) → won and lost counts, plus totals.
//! Counts only ever add up, so they are Automerge counters: concurrent increments from two
//! replicas sum instead of one overwriting the other.
//!
//! Each replica counts into its own bucket (`buckets/<actor>`), and a read sums the buckets.
//! This matters because a counter has to be created before it is incremented: if two replicas
//! created the same counter concurrently, the two creations would conflict, one would win, and
//! the increments made on the other would be lost. A replica is the only writer of its bucket,
//! so no counter is ever created twice.

use std::collections::BTreeMap;

use automerge::hydrate::Value;
use automerge::{ActorId, AutoCommit, ObjId, ROOT, ReadDoc, ScalarValue};

use super::error::{DocError, Fallback, ValidationProblem};
use super::read::{Path, Reader, field};
use super::write::Writer;
use super::{SCHEMA_VERSION, SCORING_COUNTS_TYPE, check_type, commit_options};
use crate::id::{TeamId, UserId};
use crate::timestamp::Timestamp;

/// How a deal ended, for counting.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ScoringOutcome {
    /// Won.
    Won,
    /// Lost.
    Lost,
}

impl ScoringOutcome {
    fn key(self) -> &'static str {
        match self {
            ScoringOutcome::Won => "won",
            ScoringOutcome::Lost => "lost",
        }
    }
}

/// A team's scoring counts as an Automerge document.
///
/// ```
/// use dealflow_core::{ScoringOutcome, ScoringCounts, TeamId, Timestamp, UserId};
/// use automerge::ActorId;
///
/// let team = TeamId::new("east")?;
/// let trainer = UserId::new("model")?;
/// let now = Timestamp::from_millis(1_764_000_000_000);
/// let mut laptop = ScoringCounts::create(&team, ActorId::from(*b"laptop"), &trainer, now)?;
/// let mut server = laptop.fork(ActorId::from(*b"server"));
/// let energy = [("industry".to_owned(), "能源".to_owned())];
/// laptop.record(&trainer, now, ScoringOutcome::Won, &energy)?;
/// server.record(&trainer, now, ScoringOutcome::Won, &energy)?;
/// server.record(&trainer, now, ScoringOutcome::Lost, &energy)?;
/// laptop.merge(&mut server)?;
///
/// let counts = laptop.read()?;
/// assert_eq!(counts.counts[&("industry".to_owned(), "能源".to_owned())], (2, 1));
/// assert_eq!((counts.total_won, counts.total_lost), (2, 1));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Debug)]
pub struct ScoringCounts {
    doc: AutoCommit,
}

/// The counts read from a [`ScoringCounts`] document, summed over every replica's bucket.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScoringCountsRead {
    /// The team the counts belong to.
    pub team: TeamId,
    /// (feature key, feature value) → (won, lost).
    pub counts: BTreeMap<(String, String), (u64, u64)>,
    /// Deals counted as won.
    pub total_won: u64,
    /// Deals counted as lost.
    pub total_lost: u64,
    /// Entries that were not counters (skipped) or sums below zero (read as zero).
    pub problems: Vec<ValidationProblem>,
}

autocommit_replica!(ScoringCounts, SCORING_COUNTS_TYPE);

impl ScoringCounts {
    /// A new, empty counts document for `team`.
    pub fn create(
        team: &TeamId,
        actor: ActorId,
        author: &UserId,
        now: Timestamp,
    ) -> Result<Self, DocError> {
        let mut doc = AutoCommit::new().with_actor(actor);
        let mut writer = Writer { doc: &mut doc };
        writer.string(&ROOT, "type", SCORING_COUNTS_TYPE)?;
        writer.put(&ROOT, "schemaVersion", SCHEMA_VERSION)?;
        writer.string(&ROOT, "team", team.as_str())?;
        writer.map(&ROOT, "buckets")?;
        doc.commit_with(commit_options(author, now, "create scoring counts"));
        Ok(ScoringCounts { doc })
    }

    /// Counts one closed deal with `features` (feature key, value) as `outcome`.
    pub fn record(
        &mut self,
        author: &UserId,
        now: Timestamp,
        outcome: ScoringOutcome,
        features: &[(String, String)],
    ) -> Result<(), DocError> {
        self.add(author, now, outcome, features, 1, "count outcome")
    }

    /// Takes back a count made by [`ScoringCounts::record`] (a reopened or corrected deal).
    pub fn unrecord(
        &mut self,
        author: &UserId,
        now: Timestamp,
        outcome: ScoringOutcome,
        features: &[(String, String)],
    ) -> Result<(), DocError> {
        self.add(author, now, outcome, features, -1, "take back outcome")
    }

    fn add(
        &mut self,
        author: &UserId,
        now: Timestamp,
        outcome: ScoringOutcome,
        features: &[(String, String)],
        delta: i64,
        summary: &str,
    ) -> Result<(), DocError> {
        let result = self.add_uncommitted(outcome, features, delta);
        if result.is_err() {
            self.doc.rollback();
            return result;
        }
        self.doc.commit_with(commit_options(author, now, summary));
        Ok(())
    }

    fn add_uncommitted(
        &mut self,
        outcome: ScoringOutcome,
        features: &[(String, String)],
        delta: i64,
    ) -> Result<(), DocError> {
        let bucket_key = self.doc.get_actor().to_hex_string();
        let mut writer = Writer { doc: &mut self.doc };
        let buckets = writer.map(&ROOT, "buckets")?;
        let bucket = writer.map(&buckets, &bucket_key)?;
        let totals = writer.map(&bucket, "totals")?;
        increment(&mut writer, &totals, outcome.key(), delta)?;
        let counts = writer.map(&bucket, "counts")?;
        for (key, value) in features {
            let feature = writer.map(&counts, key)?;
            let entry = writer.map(&feature, value)?;
            increment(&mut writer, &entry, outcome.key(), delta)?;
        }
        Ok(())
    }

    /// The counts, summed over every replica's bucket.
    pub fn read(&self) -> Result<ScoringCountsRead, DocError> {
        let root = self
            .doc
            .hydrate(ROOT, None)
            .map_err(|error| DocError::corrupt("document", &error))?;
        read_counts(&root)
    }
}

/// Adds `delta` to the counter at `key`, creating it in this replica's own bucket if needed.
fn increment(writer: &mut Writer<'_>, obj: &ObjId, key: &str, delta: i64) -> Result<(), DocError> {
    match writer.doc.get_key(obj, key) {
        Ok(Some((automerge::Value::Scalar(value), _)))
            if matches!(value.as_ref(), ScalarValue::Counter(_)) =>
        {
            writer
                .doc
                .increment_key(obj, key, delta)
                .map_err(|error| DocError::write(&error))
        }
        Ok(_) => writer.put(obj, key, ScalarValue::counter(delta)),
        Err(error) => Err(DocError::write(&error)),
    }
}

fn read_counts(root: &Value) -> Result<ScoringCountsRead, DocError> {
    let Value::Map(root) = root else {
        return Err(DocError::WrongType {
            expected: SCORING_COUNTS_TYPE,
            found: "not a map".to_owned(),
        });
    };
    check_type(root, SCORING_COUNTS_TYPE)?;
    let mut reader = Reader::default();
    let path = Path::root();
    let Some(team) = reader.opt_id::<TeamId>(root, &path, "team") else {
        return Err(DocError::MissingIdentity {
            field: "team",
            reason: super::read::describe(field(root, "team")),
        });
    };
    let mut sums: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    let mut totals = (0_i64, 0_i64);
    if let Some(buckets) = reader.opt_map(root, &path, "buckets") {
        let buckets_path = path.child("buckets");
        for (actor, bucket) in buckets.iter() {
            let bucket_path = buckets_path.child(actor);
            let Value::Map(bucket) = &bucket.value else {
                reader.wrong(
                    &bucket_path,
                    "a bucket map",
                    Some(&bucket.value),
                    Fallback::Skipped,
                );
                continue;
            };
            if let Some(bucket_totals) = reader.opt_map(bucket, &bucket_path, "totals") {
                let totals_path = bucket_path.child("totals");
                let (won, lost) = read_pair(&mut reader, bucket_totals, &totals_path);
                totals.0 = totals.0.saturating_add(won);
                totals.1 = totals.1.saturating_add(lost);
            }
            let Some(counts) = reader.opt_map(bucket, &bucket_path, "counts") else {
                continue;
            };
            let counts_path = bucket_path.child("counts");
            for (key, values) in counts.iter() {
                let key_path = counts_path.child(key);
                let Value::Map(values) = &values.value else {
                    reader.wrong(
                        &key_path,
                        "a map of values",
                        Some(&values.value),
                        Fallback::Skipped,
                    );
                    continue;
                };
                for (value, pair) in values.iter() {
                    let value_path = key_path.child(value);
                    let Value::Map(pair) = &pair.value else {
                        reader.wrong(
                            &value_path,
                            "a map of counters",
                            Some(&pair.value),
                            Fallback::Skipped,
                        );
                        continue;
                    };
                    let (won, lost) = read_pair(&mut reader, pair, &value_path);
                    let sum = sums.entry((key.clone(), value.clone())).or_default();
                    sum.0 = sum.0.saturating_add(won);
                    sum.1 = sum.1.saturating_add(lost);
                }
            }
        }
    }
    let mut problems = reader.problems;
    let mut non_negative = |sum: i64, path: String| -> u64 {
        u64::try_from(sum).unwrap_or_else(|_| {
            problems.push(ValidationProblem::new(
                path,
                "a count of zero or more",
                format!("a sum of {sum}"),
                Fallback::Default,
            ));
            0
        })
    };
    let counts = sums
        .into_iter()
        .map(|((key, value), (won, lost))| {
            let path = Path::root()
                .child("counts")
                .child(&key)
                .child(&value)
                .to_string();
            let won = non_negative(won, format!("{path}/won"));
            let lost = non_negative(lost, format!("{path}/lost"));
            ((key, value), (won, lost))
        })
        .collect();
    let total_won = non_negative(totals.0, "/totals/won".to_owned());
    let total_lost = non_negative(totals.1, "/totals/lost".to_owned());
    Ok(ScoringCountsRead {
        team,
        counts,
        total_won,
        total_lost,
        problems,
    })
}

/// The `won` and `lost` counters of a map (missing ones count zero).
fn read_pair(reader: &mut Reader, map: &automerge::hydrate::Map, path: &Path) -> (i64, i64) {
    let mut counter = |key: &str| -> i64 {
        match field(map, key) {
            None => 0,
            Some(Value::Scalar(ScalarValue::Counter(counter))) => i64::from(counter),
            Some(other) => {
                reader.wrong(
                    &path.child(key),
                    "a counter",
                    Some(other),
                    Fallback::Default,
                );
                0
            }
        }
    };
    (counter("won"), counter("lost"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn unrecord_takes_back_and_concurrent_first_counts_both_survive() {
        let team = TeamId::new("east").unwrap();
        let user = UserId::new("model").unwrap();
        let now = Timestamp::from_millis(0);
        let mut first = ScoringCounts::create(&team, ActorId::from(*b"a1"), &user, now).unwrap();
        let mut second = first.fork(ActorId::from(*b"a2"));
        let size = features(&[("size", "large"), ("industry", "金融")]);
        // Both replicas count the very first deal for the same features: no counter is lost.
        first
            .record(&user, now, ScoringOutcome::Lost, &size)
            .unwrap();
        second
            .record(&user, now, ScoringOutcome::Lost, &size)
            .unwrap();
        second
            .record(&user, now, ScoringOutcome::Won, &size)
            .unwrap();
        second
            .unrecord(&user, now, ScoringOutcome::Won, &size)
            .unwrap();
        first.merge(&mut second).unwrap();
        let read = first.read().unwrap();
        assert_eq!(read.counts[&("size".into(), "large".into())], (0, 2));
        assert_eq!((read.total_won, read.total_lost), (0, 2));
        assert!(read.problems.is_empty());
    }

    #[test]
    fn negative_sums_read_as_zero_with_a_problem() {
        let team = TeamId::new("east").unwrap();
        let user = UserId::new("model").unwrap();
        let now = Timestamp::from_millis(0);
        let mut counts = ScoringCounts::create(&team, ActorId::from(*b"a1"), &user, now).unwrap();
        counts
            .unrecord(
                &user,
                now,
                ScoringOutcome::Won,
                &features(&[("size", "small")]),
            )
            .unwrap();
        let read = counts.read().unwrap();
        assert_eq!(read.counts[&("size".into(), "small".into())], (0, 0));
        assert_eq!(read.problems.len(), 2);
    }
}
