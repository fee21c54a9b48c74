//! One deal's life, told edit by edit: opened by its owner, worked through the pipeline's
//! stages with follow-ups, contacts and tasks at working-day times, and won, lost, stopped,
//! left lingering or still running when the story reaches `now`.
//!
//! Every stage move goes through [`Pipeline::move_deal`]; before a move, whatever the move's
//! criteria still lack is filled in (a few minutes earlier, as a rep would), so a move is only
//! ever rejected by a bug, which surfaces as an error.

mod outcome;
mod scene;

use std::collections::BTreeMap;

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use time::{Date, Duration, UtcOffset, Weekday};

use super::customer::Customer;
use super::edit::{DemoEdit, DemoEvent};
use super::org::{DemoTeam, DemoUser};
use super::random::{between, chance, pick_index};
use super::vocabulary::{COMPETITORS, SOURCES};
use super::{DealTimeline, DemoConfig};
use crate::deal::{ContactRole, Deal, Stance, Task, TaskStatus};
use crate::doc::DocError;
use crate::error::Error;
use crate::id::{ContactId, DealId, IdError, RecordId, UserId};
use crate::money::MoneyError;
use crate::pipeline::{
    CriterionPhase, MoveContext, MoveProblem, MoveTarget, Pipeline, PipelineError,
};
use crate::probability::ProbabilityError;
use crate::timestamp::Timestamp;

const MILLIS_PER_MINUTE: i64 = 60_000;

/// What a story needs to begin.
pub(super) struct Setup<'a> {
    pub(super) config: &'a DemoConfig,
    pub(super) pipeline: &'a Pipeline,
    pub(super) team: &'a DemoTeam,
    pub(super) owner: &'a DemoUser,
    /// The owner's knack for closing, in percentage points of win propensity.
    pub(super) rep_skill: i64,
    pub(super) deal_id: DealId,
    pub(super) created_at: Timestamp,
    pub(super) customer: Customer,
    /// Whether the customer already bought from us (an expansion deal).
    pub(super) repeat: bool,
    /// Seed of this deal's own generator.
    pub(super) seed: u64,
}

/// A told story: the deal as it stands at `now`, and the edits that made it.
pub(super) struct Told {
    pub(super) deal: Deal,
    pub(super) timeline: DealTimeline,
}

/// Tells the story of one deal.
pub(super) fn tell(setup: Setup<'_>) -> Result<Told, Error> {
    let mut story = Story::open(setup)?;
    match story.run() {
        Ok(()) | Err(Halt::Now) => {}
        Err(Halt::Failed(error)) => return Err(error),
    }
    Ok(Told {
        deal: story.deal,
        timeline: story.timeline,
    })
}

/// Why a story stopped early: it reached `now` (the normal end of an open deal), or a bug.
enum Halt {
    Now,
    Failed(Error),
}

macro_rules! halt_on {
    ($($error:ty),*) => {$(
        impl From<$error> for Halt {
            fn from(error: $error) -> Self {
                Halt::Failed(error.into())
            }
        }
    )*};
}

halt_on!(
    Error,
    PipelineError,
    IdError,
    MoneyError,
    DocError,
    ProbabilityError
);

type Step<T = ()> = Result<T, Halt>;

/// The parts of a deal's pipeline, by position: what happens in a stage depends on it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// First stage: qualify the interest (线索验证, 前期洽谈).
    Qualify,
    /// Second stage: learn the needs, meet the people (需求分析, 提报方案).
    Discover,
    /// Middle stages: show the solution, price it (方案演示, 销售报价).
    Evaluate,
    /// Last stage: negotiate and sign (谈判签约, 签订合同).
    Close,
}

impl Phase {
    fn of(stage_index: usize, stage_count: usize) -> Phase {
        match stage_index {
            0 => Phase::Qualify,
            index if index + 1 >= stage_count => Phase::Close,
            1 => Phase::Discover,
            _ => Phase::Evaluate,
        }
    }

    /// Typical days in a stage of this phase, without a stall.
    fn dwell_days(self) -> (i64, i64) {
        match self {
            Phase::Qualify => (2, 12),
            Phase::Discover => (6, 24),
            Phase::Evaluate => (6, 24),
            Phase::Close => (8, 30),
        }
    }

    /// The chance, in percent, that a deal moves on from a stage of this phase (before the
    /// deal's own propensity is added).
    fn advance_percent(self) -> i64 {
        match self {
            Phase::Qualify => 64,
            Phase::Discover => 68,
            Phase::Evaluate => 60,
            Phase::Close => 74,
        }
    }
}

/// What the deal's circumstances hold, drawn at the start and revealed as the story goes.
struct Fate {
    /// Win propensity in percentage points: source, industry, competitors, decision maker,
    /// blocker, returning customer and the rep's skill.
    propensity: i64,
    decision_maker_stance: Stance,
    blocker: bool,
    /// Indexes into [`COMPETITORS`].
    competitors: Vec<usize>,
    /// Whether the close date keeps slipping.
    slips: bool,
}

/// What a stage ends in.
enum Decision {
    Advance,
    Back,
    Lose,
    Stop,
    Linger,
}

struct Story<'a> {
    config: &'a DemoConfig,
    pipeline: &'a Pipeline,
    owner: UserId,
    manager: UserId,
    customer: Customer,
    rng: ChaCha8Rng,
    deal: Deal,
    timeline: DealTimeline,
    /// The time of the latest edit.
    at: Timestamp,
    /// Record-id counters by prefix.
    counters: BTreeMap<&'static str, u32>,
    /// Tasks to complete, and when.
    pending: Vec<(Timestamp, RecordId)>,
    fate: Fate,
    /// The contact playing each role.
    cast: BTreeMap<ContactRole, ContactId>,
    went_back: bool,
    reopened: bool,
}

impl<'a> Story<'a> {
    /// Opens the deal through [`Pipeline::open_deal`] and draws its fate.
    fn open(setup: Setup<'a>) -> Result<Self, Error> {
        let mut rng = ChaCha8Rng::seed_from_u64(setup.seed);
        let mut fate = draw_fate(&mut rng, &setup);
        let source_weights: Vec<u32> = SOURCES.iter().map(|(weight, ..)| *weight).collect();
        let source = pick_index(&mut rng, &source_weights);
        fate.propensity += source_propensity(source);
        let new = scene::new_deal(&mut rng, &setup, source)?;
        let open_transition = RecordId::new("t-01")?;
        let ctx = MoveContext {
            now: setup.created_at,
            offset: setup.config.offset,
            by: setup.owner.id.clone(),
            transition_id: open_transition.clone(),
        };
        let (deal, tasks) = setup.pipeline.open_deal(new.clone(), &ctx)?;
        let mut story = Story {
            config: setup.config,
            pipeline: setup.pipeline,
            owner: setup.owner.id.clone(),
            manager: setup.team.manager.id.clone(),
            customer: setup.customer,
            rng,
            deal,
            timeline: DealTimeline {
                deal: setup.deal_id,
                pipeline: setup.pipeline.id.clone(),
                opening: new,
                opened_at: setup.created_at,
                opened_by: setup.owner.id.clone(),
                open_transition,
                actors: BTreeMap::new(),
                events: Vec::new(),
            },
            at: setup.created_at,
            counters: BTreeMap::from([("t", 1)]),
            pending: Vec::new(),
            fate,
            cast: BTreeMap::new(),
            went_back: false,
            reopened: false,
        };
        let owner = story.owner.clone();
        story.actor_for(&owner);
        story.schedule(&tasks);
        Ok(story)
    }

    fn run(&mut self) -> Step {
        self.opening()?;
        let stage_count = self.pipeline.stages.len();
        let mut stage_index = 0;
        loop {
            let phase = Phase::of(stage_index, stage_count);
            self.stage(stage_index, phase)?;
            match self.decide(stage_index, phase) {
                Decision::Advance if stage_index + 1 >= stage_count => return self.win(),
                Decision::Advance => {
                    // Where the pipeline allows skipping, a small deal now and then goes from
                    // quotation straight to signing, or skips a stage.
                    let skip = self.pipeline.rules.allow_skip && chance(&mut self.rng, 10);
                    if skip && stage_index + 2 == stage_count {
                        return self.win();
                    }
                    let next = if skip && stage_index + 2 < stage_count {
                        stage_index + 2
                    } else {
                        stage_index + 1
                    };
                    self.move_to_stage(next)?;
                    stage_index = next;
                }
                Decision::Back => {
                    self.went_back = true;
                    self.move_back(stage_index - 1)?;
                    stage_index -= 1;
                }
                Decision::Lose => return self.lose(phase, false),
                Decision::Stop => {
                    self.stop()?;
                    if self.reopened || !chance(&mut self.rng, 45) {
                        return Ok(());
                    }
                    self.wait_days(20, 90)?;
                    self.reopen(stage_index)?;
                }
                Decision::Linger => return self.linger(phase),
            }
        }
    }

    /// Works through one stage: its beats of activity spread over the stage's dwell time,
    /// then the day the next decision is made. One stay in five stalls well beyond the stage's
    /// rotting threshold.
    fn stage(&mut self, stage_index: usize, phase: Phase) -> Step {
        let entered = self.at;
        let max_dwell = self
            .pipeline
            .stages
            .get(stage_index)
            .and_then(|stage| stage.max_dwell_days)
            .map_or(30, i64::from);
        let stalled = chance(&mut self.rng, 12);
        let (low, high) = phase.dwell_days();
        let dwell = if stalled {
            max_dwell * between(&mut self.rng, 150, 400) / 100
        } else {
            between(&mut self.rng, low, high.min(max_dwell.max(low)))
        };
        let beats = match (stalled, phase) {
            (true, _) => 1,
            (false, Phase::Qualify) => between(&mut self.rng, 1, 2),
            (false, _) => between(&mut self.rng, 2, 3),
        };
        for beat in 0..beats {
            let gap = dwell / (beats + 1);
            self.wait_days(gap * 7 / 10, (gap * 13 / 10).max(1))?;
            self.beat(phase, beat)?;
        }
        let decision_day = self.working_time(entered.date_at(self.offset()), dwell);
        self.advance_to(decision_day)
    }

    fn decide(&mut self, stage_index: usize, phase: Phase) -> Decision {
        let advance = (phase.advance_percent() + self.fate.propensity / 2).clamp(15, 95);
        if chance(&mut self.rng, advance) {
            return Decision::Advance;
        }
        let roll = between(&mut self.rng, 0, 99);
        if roll < 12 && stage_index >= 1 && !self.went_back {
            Decision::Back
        } else if roll < 24 && !self.reopened {
            Decision::Stop
        } else if roll < 56 {
            Decision::Linger
        } else {
            Decision::Lose
        }
    }

    fn offset(&self) -> UtcOffset {
        self.config.offset
    }

    fn today(&self) -> Date {
        self.at.date_at(self.offset())
    }

    /// A working-hours moment `days` days after `date` (weekends mostly skipped).
    fn working_time(&mut self, date: Date, days: i64) -> Timestamp {
        let mut date = add_days(date, days);
        let weekend_shift = match date.weekday() {
            Weekday::Saturday => 2,
            Weekday::Sunday => 1,
            _ => 0,
        };
        if weekend_shift > 0 && chance(&mut self.rng, 85) {
            date = add_days(date, weekend_shift);
        }
        let minute = between(&mut self.rng, 9 * 60, 18 * 60 + 30);
        let start = Timestamp::start_of_day(date, self.offset());
        Timestamp::from_millis(
            start
                .millis()
                .saturating_add(minute.saturating_mul(MILLIS_PER_MINUTE)),
        )
    }

    /// Moves the clock to a working moment `low..=high` days on; `Halt::Now` past `now`.
    fn wait_days(&mut self, low: i64, high: i64) -> Step {
        let days = between(&mut self.rng, low, high);
        let mut target = self.working_time(self.today(), days);
        if target <= self.at {
            target = self.minutes_later(5, 40);
        }
        self.advance_to(target)
    }

    /// Moves the clock `low..=high` minutes on.
    fn wait_minutes(&mut self, low: i64, high: i64) -> Step {
        let target = self.minutes_later(low, high);
        self.advance_to(target)
    }

    /// Moves the clock `low..=high` minutes on, but not past `now`: for the bookkeeping right
    /// after a deal closes, which happens even when the deal closed minutes before `now`.
    fn settle_minutes(&mut self, low: i64, high: i64) -> Step {
        let target = self.minutes_later(low, high).min(self.config.now);
        self.advance_to(target)
    }

    fn minutes_later(&mut self, low: i64, high: i64) -> Timestamp {
        let minutes = between(&mut self.rng, low, high);
        Timestamp::from_millis(
            self.at
                .millis()
                .saturating_add(minutes.saturating_mul(MILLIS_PER_MINUTE)),
        )
    }

    /// Moves the clock to `target`, completing the tasks due to be done by then. Past `now`
    /// the story ends with `Halt::Now`, after completing what was done before `now`.
    fn advance_to(&mut self, target: Timestamp) -> Step {
        let now = self.config.now;
        self.complete_tasks_until(target.min(now))?;
        if target > now {
            return Err(Halt::Now);
        }
        self.at = self.at.max(target);
        Ok(())
    }

    /// Records an edit at the current time.
    fn emit(&mut self, by: &UserId, edit: DemoEdit) -> Result<Vec<Task>, Error> {
        self.actor_for(by);
        let event = DemoEvent {
            at: self.at,
            by: by.clone(),
            edit,
        };
        let tasks = event.apply_to_deal(&mut self.deal, self.pipeline, self.config.offset)?;
        self.timeline.events.push(event);
        Ok(tasks)
    }

    /// The Automerge actor of `user` on this deal: 16 bytes from the deal's generator, drawn
    /// when the user first edits it.
    fn actor_for(&mut self, user: &UserId) {
        if !self.timeline.actors.contains_key(user) {
            let mut bytes = [0_u8; 16];
            self.rng.fill_bytes(&mut bytes);
            self.timeline.actors.insert(user.clone(), bytes);
        }
    }

    /// The next record id with `prefix`, e.g. `fu-03`.
    fn next_id(&mut self, prefix: &'static str) -> Result<RecordId, Error> {
        next_record_id(&mut self.counters, prefix)
    }

    fn next_contact_id(&mut self) -> Result<ContactId, Error> {
        let counter = self.counters.entry("c").or_insert(0);
        *counter += 1;
        Ok(ContactId::new(format!("c-{counter:02}"))?)
    }

    /// Moves the deal; the move's missing criteria are filled in first.
    fn move_deal(&mut self, by: &UserId, target: MoveTarget) -> Step {
        self.satisfy(&target)?;
        self.wait_minutes(2, 30)?;
        let transition_id = self.next_id("t")?;
        let tasks = self.emit(
            by,
            DemoEdit::Move {
                target,
                transition_id,
            },
        )?;
        self.schedule(&tasks);
        Ok(())
    }

    /// Fills in what `target` still needs, as the pipeline reports it.
    fn satisfy(&mut self, target: &MoveTarget) -> Step {
        let ctx = MoveContext {
            now: self.at,
            offset: self.offset(),
            by: self.owner.clone(),
            transition_id: RecordId::new("check")?,
        };
        let rejected = match self.pipeline.check_move(&self.deal, target, &ctx) {
            Ok(_) => return Ok(()),
            Err(PipelineError::MoveRejected(rejected)) => rejected,
            Err(error) => return Err(error.into()),
        };
        for problem in &rejected.problems {
            let MoveProblem::Unmet(unmet) = problem else {
                return Err(PipelineError::MoveRejected(rejected.clone()).into());
            };
            let stage = self.pipeline.stage(&unmet.stage)?;
            let criteria = match unmet.phase {
                CriterionPhase::Entry => &stage.entry_criteria,
                CriterionPhase::Exit => &stage.exit_criteria,
            };
            let Some(criterion) = criteria
                .iter()
                .find(|criterion| criterion.id == unmet.criterion)
            else {
                return Err(PipelineError::MoveRejected(rejected.clone()).into());
            };
            let (id, rule) = (criterion.id.clone(), criterion.rule.clone());
            self.wait_minutes(3, 45)?;
            self.fulfil(&id, &rule)?;
        }
        Ok(())
    }

    /// Schedules the completion of new tasks: most on time, some late, some never (they stay
    /// open and become overdue).
    fn schedule(&mut self, tasks: &[Task]) {
        let today = self.today();
        for task in tasks {
            let due_in = task.due.map_or(3, |due| (due - today).whole_days().max(0));
            let days = match between(&mut self.rng, 0, 99) {
                0..70 => between(&mut self.rng, 0, due_in + 1),
                70..85 => between(&mut self.rng, due_in + 3, due_in + 20),
                _ => continue,
            };
            let at = self.working_time(today, days);
            self.pending.push((at.max(self.at), task.id.clone()));
        }
    }

    /// Completes the scheduled tasks due by `limit`, in time order.
    fn complete_tasks_until(&mut self, limit: Timestamp) -> Result<(), Error> {
        self.pending.sort();
        while let Some((at, _)) = self.pending.first()
            && *at <= limit
        {
            let (at, task) = self.pending.remove(0);
            let assignee = match self.deal.tasks.get(&task) {
                Some(open) if open.status == TaskStatus::Open => open.assignee.clone(),
                _ => continue,
            };
            self.at = self.at.max(at);
            self.emit(
                &assignee,
                DemoEdit::TaskStatus {
                    task,
                    status: TaskStatus::Done,
                },
            )?;
        }
        Ok(())
    }

    /// Closes every open task (when the deal closes).
    fn close_open_tasks(&mut self, status: TaskStatus) -> Step {
        self.pending.clear();
        let open: Vec<(RecordId, UserId)> = self
            .deal
            .tasks
            .values()
            .filter(|task| task.status == TaskStatus::Open)
            .map(|task| (task.id.clone(), task.assignee.clone()))
            .collect();
        for (task, assignee) in open {
            self.settle_minutes(1, 10)?;
            self.emit(&assignee, DemoEdit::TaskStatus { task, status })?;
        }
        Ok(())
    }
}

/// Draws the circumstances of a deal.
fn draw_fate(rng: &mut ChaCha8Rng, setup: &Setup<'_>) -> Fate {
    let mut competitors = Vec::new();
    let competitor_weights: Vec<u32> = COMPETITORS.iter().map(|(weight, _)| *weight).collect();
    if chance(rng, 55) {
        competitors.push(pick_index(rng, &competitor_weights));
        if chance(rng, 25) {
            let second = pick_index(rng, &competitor_weights);
            if !competitors.contains(&second) {
                competitors.push(second);
            }
        }
    }
    let decision_maker_stance = match between(rng, 0, 99) {
        0..40 => Stance::Supporter,
        40..85 => Stance::Neutral,
        _ => Stance::Opponent,
    };
    let blocker = chance(rng, 20);
    let mut propensity = setup.rep_skill + setup.customer.industry().propensity;
    propensity += match decision_maker_stance {
        Stance::Supporter => 10,
        Stance::Neutral => 0,
        Stance::Opponent => -15,
    };
    if blocker {
        propensity -= 8;
    }
    if setup.repeat {
        propensity += 15;
    }
    propensity += match setup.customer.size {
        crate::deal::CompanySize::Enterprise => -5,
        crate::deal::CompanySize::Medium => 3,
        _ => 0,
    };
    for competitor in &competitors {
        propensity += COMPETITORS
            .get(*competitor)
            .map_or(0, |(_, spec)| spec.propensity);
    }
    Fate {
        propensity,
        decision_maker_stance,
        blocker,
        competitors,
        slips: chance(rng, 25),
    }
}

fn source_propensity(source: usize) -> i64 {
    SOURCES
        .get(source)
        .map_or(0, |(.., propensity)| *propensity)
}

/// The next record id with `prefix` from `counters`, e.g. `fu-03` (for closures that cannot
/// borrow the whole story).
fn next_record_id(
    counters: &mut BTreeMap<&'static str, u32>,
    prefix: &'static str,
) -> Result<RecordId, Error> {
    let counter = counters.entry(prefix).or_insert(0);
    *counter += 1;
    Ok(RecordId::new(format!("{prefix}-{counter:02}"))?)
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(Duration::days(days)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_stage_positions() {
        let phases: Vec<Phase> = (0..4).map(|index| Phase::of(index, 4)).collect();
        assert_eq!(
            phases,
            [
                Phase::Qualify,
                Phase::Discover,
                Phase::Evaluate,
                Phase::Close
            ]
        );
        assert_eq!(Phase::of(2, 5), Phase::Evaluate);
        assert_eq!(Phase::of(3, 5), Phase::Evaluate);
        assert_eq!(Phase::of(1, 2), Phase::Close);
    }
}
