//! How a report is shown: bilingual column headers with the kind of value in each, and the chart
//! that suits it. The web layer renders any report from these without its own strings.

use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;

/// One column of a report's main table: the row field it shows, its header, and how to format
/// it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Column {
    /// The serialized field name of the row this column shows, e.g. `"entered"`; a dotted path
    /// for nested fields, e.g. `"signed.amount"`.
    pub key: String,
    /// Header text.
    pub label: LocalizedText,
    /// How the value is formatted.
    pub kind: ColumnKind,
}

impl Column {
    pub(crate) fn new(key: &str, zh_cn: &str, en: &str, kind: ColumnKind) -> Self {
        Column {
            key: key.to_owned(),
            label: LocalizedText::new(zh_cn, en),
            kind,
        }
    }
}

/// The kind of value in a column.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Text or a bilingual label.
    Text,
    /// An id (deal, rep, team) the UI resolves to a name.
    Id,
    /// A whole number.
    Count,
    /// A [`Money`](crate::Money) amount.
    Money,
    /// A [`Rate`](super::Rate) in basis points.
    Rate,
    /// A [`Days`](super::Days) length in hundredths of a day.
    Days,
    /// Whole days (an age).
    WholeDays,
    /// A calendar date.
    Date,
    /// An instant ([`Timestamp`](crate::Timestamp)).
    Timestamp,
    /// A rank (1 = best).
    Rank,
}

/// The chart that suits a report.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// A funnel of stages.
    Funnel,
    /// Bars, one per row.
    Bar,
    /// Bars stacked by a second dimension (e.g. stage within rep).
    StackedBar,
    /// A waterfall from a start value through increases and decreases to an end value.
    Waterfall,
    /// Box-and-whisker style distribution (median, P90, max).
    Distribution,
    /// Progress towards a target.
    Gauge,
    /// A plain table without a chart.
    Table,
}
