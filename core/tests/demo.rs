//! Contract tests of the demo data, through the public API only: determinism down to the bytes
//! of the documents, the shape of a year of deals, stage histories that follow the pipelines'
//! rules, money in positive whole fen, bilingual labels, and documents whose history follows
//! the deals' timelines.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use dealflow_core::demo::{
    DemoConfig, DemoData, DemoEdit, DemoTargetOwner, deal_document, deal_documents,
    forecast_targets, generate,
};
use dealflow_core::*;
use time::macros::offset;

/// 2026-03-15 10:00 in Beijing.
const NOW: i64 = 1_773_540_000_000;

fn config(seed: u64, n_deals: usize) -> DemoConfig {
    let mut config = DemoConfig::new(seed, Timestamp::from_millis(NOW), offset!(+8));
    config.n_deals = n_deals;
    config
}

/// The default 300 deals, generated once for the tests that look at the whole year.
fn year() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| generate(&config(42, DemoConfig::DEFAULT_DEALS)).unwrap())
}

fn share(part: usize, whole: usize) -> usize {
    part * 100 / whole.max(1)
}

#[test]
fn the_same_config_gives_the_same_deals_and_byte_identical_documents() {
    let config = config(7, 25);
    let first = generate(&config).unwrap();
    let second = generate(&config).unwrap();
    assert_eq!(first.deals, second.deals);
    assert_eq!(first.timelines, second.timelines);
    assert_eq!(first.targets, second.targets);
    assert_eq!(first.leads, second.leads);
    assert_eq!(first.quotes, second.quotes);
    let save = |data: &DemoData| -> Vec<Vec<u8>> {
        deal_documents(data)
            .unwrap()
            .into_iter()
            .map(|(_, mut doc)| doc.save())
            .collect()
    };
    assert_eq!(save(&first), save(&second));

    let other = generate(&DemoConfig {
        seed: 8,
        ..config.clone()
    })
    .unwrap();
    assert_ne!(other.deals, first.deals, "another seed gives other deals");
}

#[test]
fn a_year_of_deals_over_both_pipelines_and_every_rep() {
    let data = year();
    let now = Timestamp::from_millis(NOW);
    assert_eq!(data.deals.len(), 300);
    let ids: BTreeSet<&DealId> = data.deals.iter().map(|deal| &deal.id).collect();
    assert_eq!(ids.len(), 300, "deal ids are unique");
    assert!(
        data.deals
            .windows(2)
            .all(|pair| pair[0].created_at <= pair[1].created_at),
        "deals come in order of creation"
    );
    for deal in &data.deals {
        assert!(deal.created_at < now && deal.created_at >= now.plus_days(-366));
        let last = deal.history.last().unwrap().at;
        assert!(last <= now, "nothing happens after now: {}", deal.id);
    }
    let pipelines: BTreeSet<&str> = data
        .deals
        .iter()
        .map(|deal| deal.pipeline.as_str())
        .collect();
    assert_eq!(
        pipelines,
        BTreeSet::from(["new_business", "solution_sales"])
    );
    for (team, rep) in data
        .org
        .teams
        .iter()
        .flat_map(|team| team.reps.iter().map(move |rep| (team, rep)))
    {
        let owned: Vec<&Deal> = data
            .deals
            .iter()
            .filter(|deal| deal.owner == rep.id)
            .collect();
        assert!(owned.len() > 40, "{} owns {} deals", rep.id, owned.len());
        assert!(
            owned
                .iter()
                .all(|deal| deal.team.as_ref() == Some(&team.id))
        );
    }
    // More deals in the recent half of the year, as a growing team's.
    let recent = data
        .deals
        .iter()
        .filter(|deal| deal.created_at >= now.plus_days(-182))
        .count();
    assert!(
        share(recent, 300) > 55,
        "{recent} of 300 in the last half year"
    );
}

#[test]
fn outcomes_are_spread_like_a_real_pipeline() {
    let data = year();
    let count = |status| {
        data.deals
            .iter()
            .filter(|deal| deal.status() == status)
            .count()
    };
    let (open, won, lost, stopped) = (
        count(DealStatus::Open),
        count(DealStatus::Won),
        count(DealStatus::Lost),
        count(DealStatus::Stopped),
    );
    assert!(
        (25..=35).contains(&share(won, won + lost + stopped)),
        "won {won}, lost {lost}, stopped {stopped}"
    );
    assert!((30..=50).contains(&share(open, 300)), "open {open}");
    assert!(stopped >= 5, "stopped {stopped}");
    let reopened = data
        .deals
        .iter()
        .filter(|deal| {
            deal.history
                .iter()
                .any(|entry| entry.kind == TransitionKind::Reopened)
        })
        .count();
    assert!(reopened >= 3, "reopened {reopened}");
    let backward = data
        .deals
        .iter()
        .filter(|deal| {
            deal.history
                .iter()
                .any(|entry| entry.kind == TransitionKind::Backward)
        })
        .count();
    assert!(backward >= 3, "moved back {backward}");

    // Losses happen in every stage, for several reasons.
    let mut lost_in: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for deal in data
        .deals
        .iter()
        .filter(|deal| deal.status() == DealStatus::Lost)
    {
        let entry = deal.current().unwrap();
        *lost_in.entry(entry.stage.as_str()).or_default() += 1;
        *reasons.entry(entry.reason.as_deref().unwrap()).or_default() += 1;
    }
    for stage in [
        "qualify",
        "needs",
        "demo",
        "negotiate",
        "discuss",
        "proposal",
        "quote",
    ] {
        assert!(
            lost_in.contains_key(stage),
            "no deal lost in {stage}: {lost_in:?}"
        );
    }
    assert!(reasons.len() >= 5, "{reasons:?}");

    // The open deals give the health rules something to find.
    let now = Timestamp::from_millis(NOW);
    let today = now.date_at(offset!(+8));
    let open_deals: Vec<&Deal> = data.deals.iter().filter(|deal| deal.is_open()).collect();
    let stalled = open_deals
        .iter()
        .filter(|deal| {
            let pipeline = data.pipeline(&deal.pipeline).unwrap();
            let stage = pipeline.stage(deal.stage().unwrap()).unwrap();
            let max = i64::from(stage.max_dwell_days.unwrap());
            now.days_since(deal.stage_entered_at().unwrap()) > max
        })
        .count();
    let overdue_next_step = open_deals
        .iter()
        .filter(|deal| deal.next_step.as_ref().is_some_and(|step| step.due < today))
        .count();
    let overdue_tasks = open_deals
        .iter()
        .filter(|deal| {
            deal.tasks.values().any(|task| {
                task.status == TaskStatus::Open && task.due.is_some_and(|due| due < today)
            })
        })
        .count();
    let no_next_step = open_deals
        .iter()
        .filter(|deal| deal.next_step.is_none())
        .count();
    let pushed = data
        .deals
        .iter()
        .filter(|deal| deal.close_date_push_count() >= 2)
        .count();
    let amount_changed = data
        .deals
        .iter()
        .filter(|deal| !deal.amount_changes.is_empty())
        .count();
    assert!(
        share(stalled, open_deals.len()) >= 20,
        "stalled {stalled} of {}",
        open_deals.len()
    );
    assert!(
        overdue_next_step >= 15,
        "overdue next step {overdue_next_step}"
    );
    assert!(overdue_tasks >= 15, "overdue tasks {overdue_tasks}");
    assert!(no_next_step >= 5, "no next step {no_next_step}");
    assert!(pushed >= 15, "close date pushed twice or more {pushed}");
    assert!(amount_changed >= 100, "amount changed {amount_changed}");
    // Open deals have close dates spread over the coming months, for forecasts by period.
    let close_months: BTreeSet<(i32, time::Month)> = open_deals
        .iter()
        .filter_map(|deal| deal.expected_close)
        .filter(|date| *date >= today)
        .map(|date| (date.year(), date.month()))
        .collect();
    assert!(close_months.len() >= 3, "{close_months:?}");
}

#[test]
fn stage_histories_follow_the_pipeline_rules() {
    let data = year();
    for deal in &data.deals {
        let pipeline = data.pipeline(&deal.pipeline).unwrap();
        let first = deal.history.first().unwrap();
        assert_eq!(first.kind, TransitionKind::Created);
        assert_eq!(&first.stage, &pipeline.stages[0].id);
        for pair in deal.history.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            assert!(
                before.at <= after.at,
                "{} history goes back in time",
                deal.id
            );
            let from = pipeline.stage_index(&before.stage).unwrap();
            let to = pipeline.stage_index(&after.stage).unwrap();
            match after.kind {
                TransitionKind::Forward => {
                    assert_eq!(before.status, DealStatus::Open);
                    assert!(to > from);
                    assert!(
                        to == from + 1 || pipeline.rules.allow_skip,
                        "{} skipped",
                        deal.id
                    );
                }
                TransitionKind::Backward => {
                    assert!(to < from && pipeline.rules.allow_backward);
                }
                TransitionKind::Won => {
                    assert_eq!(before.status, DealStatus::Open);
                    assert!(to + 1 == pipeline.stages.len() || pipeline.rules.allow_skip);
                }
                TransitionKind::Lost => {
                    let reason = after.reason.as_deref().unwrap();
                    assert!(pipeline.loss_reason(reason).is_some(), "{reason}");
                    assert!(!after.note.is_empty());
                }
                TransitionKind::Stopped => {
                    let reason = after.reason.as_deref().unwrap();
                    assert!(pipeline.stop_reason(reason).is_some(), "{reason}");
                }
                TransitionKind::Reopened => {
                    assert_eq!(before.status, DealStatus::Stopped);
                    assert_eq!(to, from, "reopened where it stopped");
                }
                TransitionKind::Created => panic!("{} was created twice", deal.id),
            }
            if before.status != DealStatus::Open {
                assert_eq!(
                    after.kind,
                    TransitionKind::Reopened,
                    "{} moved while closed",
                    deal.id
                );
            }
        }
        // Visits are contiguous: each ends when the next begins.
        let visits = deal.stage_visits();
        for pair in visits.windows(2) {
            assert_eq!(pair[0].left_at, Some(pair[1].entered_at));
        }
        // Won deals carry what winning needed: products, the decision maker, a confirmed budget.
        if deal.status() == DealStatus::Won {
            assert!(!deal.product_lines.is_empty(), "{}", deal.id);
            assert!(
                deal.contacts
                    .values()
                    .any(|contact| contact.role == ContactRole::DecisionMaker)
            );
            assert!(deal.budget.confirmed, "{}", deal.id);
            assert!(
                deal.competitors
                    .values()
                    .all(|c| c.status != CompetitorStatus::Active)
            );
            assert_eq!(
                deal.expected_close,
                deal.stage_entered_at().map(|at| at.date_at(offset!(+8)))
            );
        }
    }
}

#[test]
fn every_move_met_its_stage_criteria_when_it_was_made() {
    // Replay each deal into its document (where every move goes through the pipeline again),
    // then read the deal as of each move and check the entered stage's entry criteria.
    let data = generate(&config(11, 30)).unwrap();
    for (timeline, deal) in data.timelines.iter().zip(&data.deals) {
        let pipeline = data.pipeline(&deal.pipeline).unwrap();
        let mut doc = deal_document(&data, timeline).unwrap();
        for entry in deal.history.iter().skip(1) {
            if !matches!(
                entry.kind,
                TransitionKind::Forward | TransitionKind::Reopened
            ) {
                continue;
            }
            let then = doc.read_as_of(entry.at).unwrap().unwrap().deal;
            assert_eq!(
                then.stage(),
                Some(&entry.stage),
                "{} as of {:?}",
                deal.id,
                entry.at
            );
            let stage = pipeline.stage(&entry.stage).unwrap();
            for criterion in &stage.entry_criteria {
                assert!(
                    criterion.is_met(&then, entry.at, offset!(+8)),
                    "{} entered {} without {}",
                    deal.id,
                    entry.stage,
                    criterion.id
                );
            }
        }
    }
}

#[test]
fn documents_read_back_as_the_deals_with_history_by_their_authors() {
    let data = generate(&config(3, 30)).unwrap();
    let documents = deal_documents(&data).unwrap();
    assert_eq!(documents.len(), data.deals.len());
    let mut managers_edited = 0;
    for ((id, mut doc), (deal, timeline)) in documents
        .into_iter()
        .zip(data.deals.iter().zip(&data.timelines))
    {
        assert_eq!(id, deal.id);
        let read = doc.read().unwrap();
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(&read.deal, deal);

        let changes = doc.changes();
        assert!(changes.windows(2).all(|pair| pair[0].at <= pair[1].at));
        assert_eq!(changes[0].summary, "create deal");
        assert_eq!(changes[0].by.as_ref(), Some(&deal.owner));
        let authors: BTreeSet<UserId> = changes
            .iter()
            .filter_map(|change| change.by.clone())
            .collect();
        let editors: BTreeSet<UserId> = timeline
            .events
            .iter()
            .map(|event| event.by.clone())
            .chain([deal.owner.clone()])
            .collect();
        assert_eq!(authors, editors);
        let actors: BTreeSet<_> = changes.iter().map(|change| change.actor.clone()).collect();
        assert_eq!(actors.len(), authors.len(), "one actor per user");
        if authors.len() > 1 {
            managers_edited += 1;
        }
        let moves = timeline
            .events
            .iter()
            .filter(|event| matches!(event.edit, DemoEdit::Move { .. }))
            .count();
        assert!(
            changes
                .iter()
                .filter(|change| change.summary.starts_with("move to")
                    || change.summary.starts_with("close as")
                    || change.summary.starts_with("stop")
                    || change.summary.starts_with("reopen"))
                .count()
                == moves
        );

        // Before creation there was nothing; at creation, the first stage.
        assert!(
            doc.read_as_of(deal.created_at.plus_days(-1))
                .unwrap()
                .is_none()
        );
        let created = doc
            .read_as_of(deal.created_at.plus_days(0))
            .unwrap()
            .unwrap();
        assert_eq!(created.deal.history.len(), 1);
        // What changed over the deal's last week of activity is reported with its author.
        let last = changes.last().unwrap().at;
        let week = doc.changes_between(last.plus_days(-7), last).unwrap();
        assert!(!week.is_empty());
        assert!(week.iter().all(|change| change.by.is_some()));
    }
    assert!(managers_edited > 0, "managers comment on some deals");
}

#[test]
fn money_is_positive_whole_fen_in_yuan() {
    let data = year();
    let positive_cny = |money: &Money| money.currency() == Currency::CNY && money.is_positive();
    for deal in &data.deals {
        assert!(positive_cny(&deal.amount));
        assert!(
            (5_000_000..=500_000_000).contains(&deal.amount.minor()),
            "{} is {:?}",
            deal.id,
            deal.amount
        );
        for line in deal.product_lines.values() {
            assert!(line.quantity > 0 && positive_cny(&line.unit_price));
            let product = data
                .catalog
                .products
                .get(line.product_id.as_ref().unwrap())
                .unwrap();
            assert_eq!(line.unit_price, product.list_price);
            assert_eq!(line.product, product.name.zh_cn);
        }
        for change in &deal.amount_changes {
            assert!(positive_cny(&change.from) && positive_cny(&change.to));
        }
        for money in [deal.budget.min, deal.budget.max].into_iter().flatten() {
            assert!(positive_cny(&money));
        }
        for competitor in deal.competitors.values() {
            assert!(competitor.price.as_ref().is_none_or(positive_cny));
        }
    }
    // Amounts spread from tens of thousands to millions, most of them small.
    let mut amounts: Vec<i64> = data.deals.iter().map(|deal| deal.amount.minor()).collect();
    amounts.sort_unstable();
    let median = amounts[amounts.len() / 2];
    assert!(amounts[0] < 15_000_000 && amounts[amounts.len() - 1] > 200_000_000);
    assert!(
        (15_000_000..100_000_000).contains(&median),
        "median {median}"
    );
}

#[test]
fn targets_cover_every_rep_team_and_month_and_add_up() {
    let data = year();
    let mut by_owner: BTreeMap<&DemoTargetOwner, Vec<&dealflow_core::demo::DemoTarget>> =
        BTreeMap::new();
    for target in &data.targets {
        assert!(target.amount.is_positive() && target.amount.currency() == Currency::CNY);
        assert_eq!(target.amount.minor() % 1_000_000, 0, "rounded to ¥10,000");
        by_owner.entry(&target.owner).or_default().push(target);
    }
    assert_eq!(by_owner.len(), 4 + 2 + 1);
    // In March: April of last year to the end of this year (the current year stays whole).
    assert!(by_owner.values().all(|targets| targets.len() == 21));
    let month_total = |owner: &DemoTargetOwner, index: usize| by_owner[owner][index].amount.minor();
    for index in 0..21 {
        let mut department = 0;
        for team in &data.org.teams {
            let reps: i64 = team
                .reps
                .iter()
                .map(|rep| month_total(&DemoTargetOwner::Rep(rep.id.clone()), index))
                .sum();
            let team_total = month_total(&DemoTargetOwner::Team(team.id.clone()), index);
            assert_eq!(team_total, reps);
            department += team_total;
        }
        assert_eq!(
            month_total(&DemoTargetOwner::Team(data.org.department.clone()), index),
            department
        );
    }
    // The current month is the twelfth.
    let today = Timestamp::from_millis(NOW).date_at(offset!(+8));
    let department = &by_owner[&DemoTargetOwner::Team(data.org.department.clone())];
    assert_eq!(
        (department[11].year, department[11].month),
        (today.year(), today.month())
    );
}

#[test]
fn labels_and_user_facing_text_come_in_both_languages() {
    let data = year();
    let labels = &data.labels;
    for label in labels
        .industries
        .iter()
        .chain(&labels.regions)
        .chain(&labels.sources)
        .chain(&labels.campaigns)
    {
        assert!(!label.label.is_incomplete(), "{label:?}");
    }
    let known = |list: &[dealflow_core::demo::DemoLabel], value: &str| {
        list.iter().any(|label| label.value == value)
    };
    for deal in &data.deals {
        assert!(known(&labels.sources, deal.source.as_deref().unwrap()));
        if let Some(industry) = &deal.account.industry {
            assert!(known(&labels.industries, industry), "{industry}");
        }
        if let Some(region) = &deal.account.region {
            assert!(known(&labels.regions, region), "{region}");
        }
        if let Some(campaign) = &deal.campaign {
            assert!(known(&labels.campaigns, campaign), "{campaign}");
        }
        for touchpoint in deal.touchpoints.values() {
            assert!(known(&labels.sources, &touchpoint.channel));
            assert!(touchpoint.at <= deal.created_at || touchpoint.campaign.is_some());
        }
        for task in deal.tasks.values() {
            assert!(!task.title.is_incomplete());
            assert!(task.title.en.is_ascii() && !task.title.zh_cn.is_ascii());
        }
    }
    for product in data.catalog.products.values() {
        assert!(!product.name.is_incomplete() && !product.unit.is_incomplete());
    }
    for user in data
        .org
        .teams
        .iter()
        .flat_map(|team| team.reps.iter().chain([&team.manager]))
    {
        assert!(!user.name.is_incomplete());
    }
}

#[test]
fn deals_read_like_chinese_b2b_sales() {
    let data = year();
    let industries: BTreeSet<&str> = data
        .deals
        .iter()
        .filter_map(|deal| deal.account.industry.as_deref())
        .collect();
    assert_eq!(industries.len(), 7, "{industries:?}");
    let sources: BTreeSet<&str> = data
        .deals
        .iter()
        .filter_map(|deal| deal.source.as_deref())
        .collect();
    assert_eq!(sources.len(), 6, "{sources:?}");
    let competitors: BTreeSet<&str> = data
        .deals
        .iter()
        .flat_map(|deal| {
            deal.competitors
                .values()
                .map(|competitor| competitor.name.as_str())
        })
        .collect();
    assert_eq!(
        competitors,
        BTreeSet::from(["Salesforce", "用友", "纷享销客", "销售易"])
    );
    let repeat_customers = {
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for deal in &data.deals {
            *names.entry(deal.account.name.as_str()).or_default() += 1;
        }
        names.values().filter(|count| **count > 1).count()
    };
    assert!(
        repeat_customers >= 5,
        "returning customers {repeat_customers}"
    );
    for deal in &data.deals {
        assert!(
            deal.account
                .name
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
        assert!(
            deal.title
                .starts_with(deal.account.name.get(..6).unwrap_or_default())
        );
        for follow_up in deal.follow_ups.values() {
            assert!(!follow_up.summary.is_empty());
            assert!(
                follow_up
                    .participants
                    .iter()
                    .all(|id| deal.contacts.contains_key(id))
            );
        }
        for relationship in deal.relationships.values() {
            assert!(
                deal.contacts.contains_key(&relationship.from)
                    && deal.contacts.contains_key(&relationship.to)
            );
        }
        if deal.status() != DealStatus::Open && deal.history.len() > 3 {
            assert!(
                !deal.follow_ups.is_empty(),
                "{} was worked without follow-ups",
                deal.id
            );
        }
    }
    let demo_feedback = data
        .deals
        .iter()
        .flat_map(|deal| deal.follow_ups.values())
        .filter(|follow_up| {
            follow_up.kind == FollowUpKind::Demo && !follow_up.customer_feedback.is_empty()
        })
        .count();
    assert!(demo_feedback > 50);
    let comments = data
        .deals
        .iter()
        .map(|deal| deal.comments.len())
        .sum::<usize>();
    let replies = data
        .deals
        .iter()
        .flat_map(|deal| deal.comments.values())
        .filter(|comment| comment.reply_to.is_some())
        .count();
    assert!(
        comments > 50 && replies > 10,
        "{comments} comments, {replies} replies"
    );
    let adjustments = data
        .deals
        .iter()
        .map(|deal| deal.forecast_adjustments.len())
        .sum::<usize>();
    assert!(adjustments >= 5);
}

#[test]
fn deal_ids_can_be_chosen_by_the_caller() {
    let mut config = config(5, 4);
    config.deal_id = |bytes| format!("deal-{:02x}{:02x}", bytes[0], bytes[1]);
    let data = generate(&config).unwrap();
    assert!(
        data.deals
            .iter()
            .all(|deal| deal.id.as_str().starts_with("deal-"))
    );
    assert!(
        data.timelines
            .iter()
            .zip(&data.deals)
            .all(|(timeline, deal)| timeline.deal == deal.id)
    );
}

/// Noon in Beijing on `year-month-day`.
fn beijing_noon(year: i32, month: time::Month, day: u8) -> Timestamp {
    let date = time::Date::from_calendar_date(year, month, day).unwrap();
    Timestamp::from_millis(Timestamp::start_of_day(date, offset!(+8)).millis() + 12 * 3_600_000)
}

#[test]
fn targets_cover_whole_quarters_through_the_next_one_whatever_the_month() {
    for month in [
        time::Month::January,
        time::Month::May,
        time::Month::November,
    ] {
        let now = beijing_noon(2026, month, 26);
        let mut config = DemoConfig::new(42, now, offset!(+8));
        config.n_deals = 12;
        let data = generate(&config).unwrap();
        let department = DemoTargetOwner::Team(data.org.department.clone());
        let months = forecast_targets(
            &data.targets,
            &department,
            &ForecastGroup::Total,
            PeriodKind::Month,
        )
        .unwrap();
        let quarters = forecast_targets(
            &data.targets,
            &department,
            &ForecastGroup::Total,
            PeriodKind::Quarter,
        )
        .unwrap();
        // Whole quarters only: every month belongs to a quarter with a target.
        assert_eq!(months.len(), quarters.len() * 3, "{month}");
        assert!(months.len() >= 12 + 3);
        let today = now.date_at(offset!(+8));
        let this_quarter = Period::of(today, PeriodKind::Quarter);
        let next_quarter = Period::of(
            this_quarter.end().unwrap().next_day().unwrap(),
            PeriodKind::Quarter,
        );
        // The current year is whole, so it has a yearly target. It, this quarter and the next each
        // have a positive target, the sum of their months.
        let years = forecast_targets(
            &data.targets,
            &department,
            &ForecastGroup::Total,
            PeriodKind::Year,
        )
        .unwrap();
        let this_year = Period::of(today, PeriodKind::Year);
        for (targets, period) in [
            (&years, this_year),
            (&quarters, this_quarter),
            (&quarters, next_quarter),
        ] {
            let target = targets
                .iter()
                .find(|target| target.period == period)
                .unwrap_or_else(|| panic!("{period} has a target ({month})"));
            let summed = months
                .iter()
                .filter(|monthly| period.contains_period(monthly.period))
                .fold(0, |sum, monthly| sum + monthly.amount.minor());
            assert_eq!(target.amount.minor(), summed);
            assert!(target.amount.is_positive());
        }
    }
}

#[test]
fn open_deals_close_over_the_current_and_next_quarters() {
    // Mid-quarter, as a demo is usually started: the dashboard opens on the current quarter,
    // so it and the next one need open deals for the range and the target to mean something.
    let mut counts = Vec::new();
    for month in [time::Month::February, time::Month::November] {
        let now = beijing_noon(2026, month, 15);
        let data = generate(&DemoConfig::new(42, now, offset!(+8))).unwrap();
        let today = now.date_at(offset!(+8));
        let this_quarter = Period::of(today, PeriodKind::Quarter);
        let next_quarter = Period::of(
            this_quarter.end().unwrap().next_day().unwrap(),
            PeriodKind::Quarter,
        );
        let closing_in = |period: Period| {
            data.deals
                .iter()
                .filter(|deal| deal.is_open())
                .filter(|deal| {
                    deal.expected_close
                        .is_some_and(|date| period.contains(date))
                })
                .count()
        };
        counts.push((month, closing_in(this_quarter), closing_in(next_quarter)));
    }
    eprintln!("(month, open deals closing this quarter, next quarter): {counts:?}");
    assert!(
        counts
            .iter()
            .all(|(_, this_count, next_count)| *this_count >= 12 && *next_count >= 12),
        "{counts:?}"
    );
}

#[test]
fn leads_fill_the_pools_and_quotes_sit_on_advanced_open_deals() {
    let data = year();
    assert!(data.leads.len() >= 24, "a few dozen leads");
    for team in &data.org.teams {
        let pool: Vec<_> = data
            .leads
            .iter()
            .filter(|lead| lead.team == team.id)
            .collect();
        assert!(!pool.is_empty());
        let claimed = pool.iter().filter(|lead| lead.claimed_by.is_some()).count();
        assert!(
            claimed > 0 && claimed < pool.len(),
            "{}: {claimed} claimed",
            team.id
        );
        for lead in &pool {
            if let Some(rep) = &lead.claimed_by {
                assert!(team.reps.iter().any(|member| &member.id == rep));
            }
        }
    }
    let ids: BTreeSet<_> = data.leads.iter().map(|lead| &lead.id).collect();
    assert_eq!(ids.len(), data.leads.len(), "lead ids are unique");

    assert!(data.quotes.len() >= 6, "{} quotes", data.quotes.len());
    let stage_index = |deal: &Deal| {
        let pipeline = data.pipeline(&deal.pipeline).unwrap();
        pipeline.stage_index(deal.stage().unwrap()).unwrap()
    };
    let quoted: BTreeSet<_> = data.quotes.iter().map(|quote| &quote.deal).collect();
    let lowest_quoted = data
        .deals
        .iter()
        .filter(|deal| quoted.contains(&deal.id))
        .map(stage_index)
        .min()
        .unwrap();
    for quote in &data.quotes {
        let deal = data
            .deals
            .iter()
            .find(|deal| deal.id == quote.deal)
            .unwrap();
        assert!(deal.is_open());
        assert_eq!(quote.owner, deal.owner);
        assert!(!quote.lines.is_empty());
        for line in &quote.lines {
            let product = line.product.as_ref().unwrap();
            assert!(data.catalog.products.contains_key(product));
        }
        assert!(quote.valid_until > Timestamp::from_millis(NOW).date_at(offset!(+8)));
    }
    // The quoted deals are the most advanced open ones.
    assert!(
        data.deals
            .iter()
            .filter(|deal| deal.is_open() && !quoted.contains(&deal.id))
            .filter(|deal| deal
                .product_lines
                .values()
                .any(|line| line.product_id.is_some()))
            .all(|deal| stage_index(deal) <= lowest_quoted)
    );
    // Some need no approval (at most 10 % off), some a manager's or an admin's.
    let basis_points: Vec<u16> = data
        .quotes
        .iter()
        .map(|quote| quote.discount.basis_points())
        .collect();
    assert!(
        basis_points.iter().any(|bp| *bp <= 1_000),
        "{basis_points:?}"
    );
    assert!(
        basis_points.iter().any(|bp| *bp > 1_000),
        "{basis_points:?}"
    );
    assert!(data.quotes.iter().any(|quote| quote.approve));
    assert!(data.quotes.iter().any(|quote| !quote.approve));
}
