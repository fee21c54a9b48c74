//! Bilingual labels shared by analytics and reports.

use crate::deal::CompanySize;
use crate::i18n::LocalizedText;
use crate::pipeline::{Pipeline, Reason};

/// "Not set": a segment or reason that was left empty.
pub(crate) fn not_set() -> LocalizedText {
    LocalizedText::new("未填写", "Not set")
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
