Feature: An HR manager's quarter of appraisals (绩效考核)
  The HR manager of the demo company appraises everyone each quarter, as the operations
  department of the article does: KPIs are broken down from the objectives' key results
  (OKR + KPI 联动), the quarter's KPI results come in, each KPI met earns 10 points and one
  exceeded up to 12 (达标得10分，超额完成得12分), the KPI score counts 70 % and the 360-degree
  feedback 30 %, the ratings are calibrated against 20 % excellent / 70 % qualified / 10 %
  needs improvement, managers are alerted when a result falls under 70 % of its target,
  excellent people get 1.5 times the bonus and qualified ones 1 time, and whoever missed gets
  training for the competencies they lack.

  Background:
    Given the demo organisation with its 2026 objectives, KPI results and feedback

  Scenario: Every KPI is broken down from a key result, but one
    When the performance rules are checked for 2026-Q4
    Then "kpi-serves-key-result" reports:
      | record | name         | value |
      | K013   | 新媒体粉丝增长数 | 0     |

  Scenario: A KPI met earns 10 points, a KPI exceeded more, at most 12
    When HR appraises 2026-Q1 with a base bonus of 10000
    Then the KPIs of E0014 score:
      | kpi  | target | actual | achievement | points |
      | K007 | 300    | 318    | 1.06        | 10.6   |
      | K008 | 95     | 100    | 1.0526      | 10.5263 |
      | K009 | 5      | 5      | 1           | 10     |
    And no KPI of anyone earns more than 12 points

  Scenario: The final score is 70 % KPI and 30 % feedback, and the rating sets the bonus
    When HR appraises 2026-Q1 with a base bonus of 10000
    Then the appraisals are:
      | employee | kpi score | feedback | final | rating            | multiplier | bonus |
      | E0014    | 104.1     | 100      | 102.9 | excellent         | 1.5        | 15000 |
      | E0275    | 78.6      | 80       | 79    | qualified         | 1          | 10000 |
      | E0126    | 65.2      | 60       | 63.6  | needs_improvement | 0          | 0     |

  Scenario: Nobody is left without an appraisal, except those with nothing to appraise
    When the performance rules are checked for 2026-Q3
    Then "appraisal-complete" reports:
      | record | value              |
      | E0003  | 0 of 0 KPIs scored |
      | E0004  | 0 of 0 KPIs scored |
      | E0230  | 0 of 2 KPIs scored |

  Scenario: Calibration finds the over-generous department
    When the performance rules are checked for 2026-Q2
    Then "rating-distribution" reports:
      | record | path                     | value   |
      | D07    | rating excellent         | 6 of 11 |
      | D07    | rating needs_improvement | 0 of 11 |
      | D07    | rating qualified         | 5 of 11 |
    And the message about D07 and excellent says "6 of 11 rated excellent (54.5 %); the guideline 20 % allows 2 to 2: move out 4."

  Scenario: The same department is within the guideline in the next quarter
    When the performance rules are checked for 2026-Q3
    Then "rating-distribution" reports nothing

  Scenario: Managers are alerted when a result falls under 70 % of its target
    When the performance rules are checked for 2026-Q1
    Then "kpi-alert" reports:
      | record | path         | value | severity |
      | E0042  | K012 on P012 | 60 %  | warning  |
      | E0126  | K030 on P037 | 60 %  | warning  |
      | E0275  | K036 on P050 | 68 %  | warning  |
    And the alerts name a manager

  Scenario: Whoever missed gets training for what they lack
    When HR lists the training needs of 2026-Q1
    Then the training needs of E0126 are "C019 注塑工艺调试 (priority 3), C051 高分子材料 (priority 2)"
    And the training needs of E0042 are "C077 创新意识 (priority 1)"
    And the training needs of E0275 are "none"
