//! Bilingual labels shared by analytics and reports.

use crate::deal::{CompanySize, DealStatus};
use crate::i18n::LocalizedText;
use crate::pipeline::{Pipeline, Reason};

/// "Not set": a segment or reason that was left empty.
pub(crate) fn not_set() -> LocalizedText {
    LocalizedText::new("未填写", "Not set")
}

/// The whole company (the top of every roll-up).
pub(crate) fn company() -> LocalizedText {
    LocalizedText::new("全公司", "Whole company")
}

/// Records without a team.
pub(crate) fn no_team() -> LocalizedText {
    LocalizedText::new("未分配团队", "No team")
}

/// Open, won, lost or stopped.
pub(crate) fn status(status: DealStatus) -> LocalizedText {
    match status {
        DealStatus::Open => LocalizedText::new("进行中", "Open"),
        DealStatus::Won => LocalizedText::new("赢单", "Won"),
        DealStatus::Lost => LocalizedText::new("输单", "Lost"),
        DealStatus::Stopped => LocalizedText::new("暂停", "Stopped"),
    }
}

/// A label for user data (names, ids) that is the same in both languages.
pub(crate) fn verbatim(text: &str) -> LocalizedText {
    LocalizedText::new(text, text)
}

/// A company size band with its headcount.
pub(crate) fn company_size(size: CompanySize) -> LocalizedText {
    match size {
        CompanySize::Micro => LocalizedText::new("微型（20 人以下）", "Micro (under 20)"),
        CompanySize::Small => LocalizedText::new("小型（20–99 人）", "Small (20–99)"),
        CompanySize::Medium => LocalizedText::new("中型（100–499 人）", "Medium (100–499)"),
        CompanySize::Large => LocalizedText::new("大型（500–1999 人）", "Large (500–1,999)"),
        CompanySize::Enterprise => {
            LocalizedText::new("超大型（2000 人以上）", "Enterprise (2,000+)")
        }
    }
}

/// Which list of a pipeline a reason id is looked up in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ReasonList {
    /// Loss reasons.
    Loss,
    /// Stop reasons.
    Stop,
}

/// The label of reason `id`: from the first of `pipelines` (the deal's own first) whose list has
/// it, else the id itself; "Not set" without an id.
pub(crate) fn reason(
    pipelines: &[Pipeline],
    own_pipeline: &crate::id::PipelineId,
    list: ReasonList,
    id: Option<&str>,
) -> LocalizedText {
    let Some(id) = id else {
        return not_set();
    };
    let find = |pipeline: &Pipeline| -> Option<LocalizedText> {
        let reasons: &[Reason] = match list {
            ReasonList::Loss => &pipeline.loss_reasons,
            ReasonList::Stop => &pipeline.stop_reasons,
        };
        reasons
            .iter()
            .find(|reason| reason.id == id)
            .map(|reason| reason.label.clone())
    };
    pipelines
        .iter()
        .filter(|pipeline| pipeline.id == *own_pipeline)
        .chain(pipelines.iter())
        .find_map(find)
        .unwrap_or_else(|| verbatim(id))
}
