//! Validation of pipeline configurations: every problem at once, never a panic.

use std::collections::HashSet;

use super::error::{ConfigItem, ConfigProblem, PipelineError};
use super::{ForecastCategory, Pipeline, Reason, Rule};
use crate::i18n::LocalizedText;

impl Pipeline {
    /// Checks the configuration and lists every problem ([`ConfigProblem`]): unique stage,
    /// criterion, template and reason ids (none blank), complete bilingual labels, at least one
    /// open stage, loss and stop reasons, no `closed` category on an open stage, no zero-day
    /// rotting threshold, labels on checklist criteria, and no stage-relative follow-up rule
    /// among entry criteria.
    ///
    /// Probabilities are in range and criteria name existing deal fields by construction
    /// ([`Probability`](crate::Probability) and [`DealField`](crate::DealField) reject anything
    /// else when a configuration is deserialized).
    ///
    /// ```
    /// use dealflow_core::Pipeline;
    /// let mut pipeline = Pipeline::template_new_business();
    /// assert!(pipeline.validate().is_ok());
    /// pipeline.stages.push(pipeline.stages[0].clone());
    /// let error = pipeline.validate().unwrap_err();
    /// assert!(error.to_string().contains("stage id qualify is used twice"));
    /// ```
    pub fn validate(&self) -> Result<(), PipelineError> {
        let mut problems = Vec::new();
        check_label(&self.name, ConfigItem::Pipeline, &mut problems);
        if self.stages.is_empty() {
            problems.push(ConfigProblem::NoOpenStage);
        }
        let mut stage_ids = HashSet::new();
        let mut criterion_ids = HashSet::new();
        for stage in &self.stages {
            if !stage_ids.insert(&stage.id) {
                problems.push(ConfigProblem::DuplicateStage {
                    stage: stage.id.clone(),
                });
            }
            check_label(
                &stage.label,
                ConfigItem::Stage {
                    stage: stage.id.clone(),
                },
                &mut problems,
            );
            if stage.forecast_category == ForecastCategory::Closed {
                problems.push(ConfigProblem::ClosedCategoryOnOpenStage {
                    stage: stage.id.clone(),
                });
            }
            if stage.max_dwell_days == Some(0) {
                problems.push(ConfigProblem::ZeroMaxDwell {
                    stage: stage.id.clone(),
                });
            }
            for criterion in &stage.entry_criteria {
                if let Rule::FollowUpHeld {
                    since_stage_entry: true,
                    ..
                } = criterion.rule
                {
                    problems.push(ConfigProblem::StageRelativeEntryCriterion {
                        stage: stage.id.clone(),
                        criterion: criterion.id.clone(),
                    });
                }
            }
            for criterion in stage.entry_criteria.iter().chain(&stage.exit_criteria) {
                let item = ConfigItem::Criterion {
                    stage: stage.id.clone(),
                    criterion: criterion.id.clone(),
                };
                if criterion.id.trim().is_empty() {
                    problems.push(ConfigProblem::EmptyId { at: item.clone() });
                } else if !criterion_ids.insert(criterion.id.as_str()) {
                    problems.push(ConfigProblem::DuplicateCriterion {
                        criterion: criterion.id.clone(),
                    });
                }
                match &criterion.label {
                    Some(label) => check_label(label, item, &mut problems),
                    None if criterion.rule == Rule::Checklist => {
                        problems.push(ConfigProblem::UnlabelledChecklist {
                            stage: stage.id.clone(),
                            criterion: criterion.id.clone(),
                        });
                    }
                    None => {}
                }
            }
            let mut template_ids = HashSet::new();
            for template in &stage.task_templates {
                let item = ConfigItem::TaskTemplate {
                    stage: stage.id.clone(),
                    template: template.id.clone(),
                };
                if template.id.trim().is_empty() {
                    problems.push(ConfigProblem::EmptyId { at: item.clone() });
                } else if !template_ids.insert(template.id.as_str()) {
                    problems.push(ConfigProblem::DuplicateTaskTemplate {
                        stage: stage.id.clone(),
                        template: template.id.clone(),
                    });
                }
                check_label(&template.title, item, &mut problems);
            }
        }
        if self.loss_reasons.is_empty() {
            problems.push(ConfigProblem::NoLossReason);
        }
        if self.stop_reasons.is_empty() {
            problems.push(ConfigProblem::NoStopReason);
        }
        check_reasons(
            &self.loss_reasons,
            |reason| ConfigItem::LossReason { reason },
            &mut problems,
        );
        check_reasons(
            &self.stop_reasons,
            |reason| ConfigItem::StopReason { reason },
            &mut problems,
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PipelineError::Invalid {
                pipeline: self.id.clone(),
                problems,
            })
        }
    }
}

fn check_label(label: &LocalizedText, at: ConfigItem, problems: &mut Vec<ConfigProblem>) {
    if label.is_incomplete() {
        problems.push(ConfigProblem::IncompleteLabel { at });
    }
}

fn check_reasons(
    reasons: &[Reason],
    item: impl Fn(String) -> ConfigItem,
    problems: &mut Vec<ConfigProblem>,
) {
    let mut ids = HashSet::new();
    for reason in reasons {
        if reason.id.trim().is_empty() {
            problems.push(ConfigProblem::EmptyId {
                at: item(reason.id.clone()),
            });
        } else if !ids.insert(reason.id.as_str()) {
            problems.push(ConfigProblem::DuplicateReason {
                reason: reason.id.clone(),
            });
        }
        check_label(&reason.label, item(reason.id.clone()), problems);
    }
}
