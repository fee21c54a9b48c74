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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, Localized};
    use crate::pipeline::{Criterion, TaskTemplate};

    fn problems(pipeline: &Pipeline) -> Vec<ConfigProblem> {
        match pipeline.validate() {
            Ok(()) => Vec::new(),
            Err(PipelineError::Invalid { problems, .. }) => problems,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    fn template() -> Pipeline {
        Pipeline::template_new_business()
    }

    #[test]
    fn the_templates_have_no_problems() {
        assert_eq!(problems(&template()), []);
        assert_eq!(problems(&Pipeline::template_solution_sales()), []);
    }

    #[test]
    fn an_empty_pipeline_lists_every_missing_part() {
        let mut pipeline = template();
        pipeline.stages.clear();
        pipeline.loss_reasons.clear();
        pipeline.stop_reasons.clear();
        assert_eq!(
            problems(&pipeline),
            [
                ConfigProblem::NoOpenStage,
                ConfigProblem::NoLossReason,
                ConfigProblem::NoStopReason
            ]
        );
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let mut pipeline = template();
        let mut copy = pipeline.stages[1].clone();
        copy.id = pipeline.stages[0].id.clone();
        copy.entry_criteria.clear();
        copy.exit_criteria.clear();
        copy.task_templates.push(copy.task_templates[0].clone());
        pipeline.stages.push(copy);
        let reused = pipeline.stages[0].exit_criteria[0].clone();
        pipeline.stages[2].exit_criteria.push(reused);
        pipeline.loss_reasons.push(pipeline.loss_reasons[0].clone());
        assert_eq!(
            problems(&pipeline),
            [
                ConfigProblem::DuplicateCriterion {
                    criterion: "qualify_industry".into()
                },
                ConfigProblem::DuplicateStage {
                    stage: crate::fixture::stage("qualify")
                },
                ConfigProblem::DuplicateTaskTemplate {
                    stage: crate::fixture::stage("qualify"),
                    template: "needs_memo".into()
                },
                ConfigProblem::DuplicateReason {
                    reason: "price".into()
                },
            ]
        );
    }

    #[test]
    fn blank_ids_and_labels_are_reported_with_their_place() {
        let mut pipeline = template();
        pipeline.name.en.clear();
        pipeline.stages[0].label.zh_cn = " ".into();
        pipeline.stages[0].exit_criteria[0].id = String::new();
        pipeline.stages[0].task_templates[0] = TaskTemplate {
            id: " ".into(),
            title: LocalizedText::new("", "call"),
            ..pipeline.stages[0].task_templates[0].clone()
        };
        pipeline.stop_reasons[0].id = String::new();
        let qualify = crate::fixture::stage("qualify");
        let found = problems(&pipeline);
        assert_eq!(
            found,
            [
                ConfigProblem::IncompleteLabel {
                    at: ConfigItem::Pipeline
                },
                ConfigProblem::IncompleteLabel {
                    at: ConfigItem::Stage {
                        stage: qualify.clone()
                    }
                },
                ConfigProblem::EmptyId {
                    at: ConfigItem::Criterion {
                        stage: qualify.clone(),
                        criterion: String::new()
                    }
                },
                ConfigProblem::EmptyId {
                    at: ConfigItem::TaskTemplate {
                        stage: qualify.clone(),
                        template: " ".into()
                    }
                },
                ConfigProblem::IncompleteLabel {
                    at: ConfigItem::TaskTemplate {
                        stage: qualify,
                        template: " ".into()
                    }
                },
                ConfigProblem::EmptyId {
                    at: ConfigItem::StopReason {
                        reason: String::new()
                    }
                },
            ]
        );
        // Messages name the place in the reader's language.
        assert_eq!(
            found[1].localized(Locale::ZhCn),
            "阶段 qualify的名称缺少中文或英文"
        );
        assert_eq!(
            found[2].localized(Locale::En),
            "the id of a criterion of stage qualify is empty"
        );
        assert_eq!(found[5].localized(Locale::ZhCn), "某个暂停原因的标识为空");
    }

    #[test]
    fn stage_rules_that_cannot_work_are_reported() {
        let mut pipeline = template();
        let demo = crate::fixture::stage("demo");
        pipeline.stages[2].forecast_category = ForecastCategory::Closed;
        pipeline.stages[2].max_dwell_days = Some(0);
        pipeline.stages[2].entry_criteria.push(Criterion {
            id: "demo_call".into(),
            rule: Rule::FollowUpHeld {
                kind: None,
                with_feedback: false,
                since_stage_entry: true,
            },
            label: None,
        });
        pipeline.stages[2].exit_criteria.push(Criterion {
            id: "demo_signoff".into(),
            rule: Rule::Checklist,
            label: None,
        });
        assert_eq!(
            problems(&pipeline),
            [
                ConfigProblem::ClosedCategoryOnOpenStage {
                    stage: demo.clone()
                },
                ConfigProblem::ZeroMaxDwell {
                    stage: demo.clone()
                },
                ConfigProblem::StageRelativeEntryCriterion {
                    stage: demo.clone(),
                    criterion: "demo_call".into()
                },
                ConfigProblem::UnlabelledChecklist {
                    stage: demo,
                    criterion: "demo_signoff".into()
                },
            ]
        );
    }

    #[test]
    fn every_problem_has_both_languages_and_round_trips() {
        let mut pipeline = template();
        pipeline.stages[0].max_dwell_days = Some(0);
        pipeline.loss_reasons.clear();
        let error = pipeline.validate().unwrap_err();
        assert!(
            error
                .localized(Locale::ZhCn)
                .contains("至少需要一个输单原因")
        );
        assert!(error.to_string().contains("maximum dwell of 0 days"));
        for problem in problems(&pipeline) {
            let json = serde_json::to_string(&problem).unwrap();
            assert_eq!(
                serde_json::from_str::<ConfigProblem>(&json).unwrap(),
                problem
            );
        }
        let json = serde_json::to_value(ConfigProblem::EmptyId {
            at: ConfigItem::LossReason {
                reason: String::new(),
            },
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "empty_id", "at": { "kind": "loss_reason", "reason": "" } })
        );
    }
}
