Feature: Boundary questions: who owns what, and where ownership overlaps or falls through
  HR's first questions about an organisation: which duties two positions or two departments
  both think are theirs, which duties nobody is accountable for, which duty is written down
  twice under two names, who does what in a department, and whether spans of control, layers
  and headcount stay within limits. The demo manufacturer answers them over the GraphQL API;
  its planted cases are the answers.

  Background:
    Given the demo organisation

  Scenario: Which duties do two positions both claim?
    When HR asks which duties two or more positions own in the same role
    Then these duties are named:
      | duty     | owners | across departments |
      | 需求分析 | 4      | yes                |
      | 零件清点 | 2      | no                 |
    And "需求分析" is owned by:
      | role | position   | department |
      | R    | 产品经理   | 市场部     |
      | R    | 研发工程师 | 研究所     |
      | A    | 市场部经理 | 市场部     |
      | A    | 研究所所长 | 研究所     |

  Scenario: Which duties have no one accountable, or more than one, or no one doing them?
    When HR asks for accountability gaps
    Then the gaps are:
      | gap                      | what           |
      | nobody accountable       | 零件清点       |
      | several accountable      | 需求分析       |
      | nobody responsible       | 供应商年度评审 |
      | position without duties  | 项目助理       |

  Scenario: Which duties do 成型部 and 组装部 both claim?
    When HR asks what "成型部" and "组装部" share
    Then neither department claims a duty the other also claims
    And both hold a role in these duties:
      | duty         | 成型部 | 组装部 |
      | 新产品试产   | C      | C      |
      | 生产进度跟踪 | I      | I      |
    And these duties say the same thing in different words:
      | 成型部 duty  | 组装部 duty    |
      | 零件外观检验 | 零部件外观检查 |
    And no reporting line crosses between them

  Scenario: Which duty is written down twice under two names?
    When HR asks for similar duties anywhere in the organisation
    Then these pairs are found, most similar first:
      | duty         | owned in       | similar duty   | owned in |
      | 需求分析     | 市场部, 研究所 | 需求细节确认   | 研究所   |
      | 零件外观检验 | 成型部         | 零部件外观检查 | 组装部   |
    And every pair shows a score above 0.4 and the words both duties share

  Scenario: Who does what in 组装部?
    When HR downloads the RACI matrix of "组装部" as a spreadsheet
    Then the file is named "raci-D10.csv"
    And the row "零件清点" reads:
      | position   | role |
      | 组装班组长 | R    |
      | 装配工     | R    |
      | 物料控制员 | I    |

  Scenario: Who has too many direct reports?
    When HR asks which positions have more than 10 direct reports
    Then the only one is "总经理" with 14 direct reports

  Scenario: Where is the hierarchy too deep?
    When HR asks which positions sit below layer 4
    Then these positions are named:
      | position   | layer | reporting chain                                                    |
      | 实验员     | 6     | 总经理 > 研究所所长 > 材料实验室主任 > 高级材料工程师 > 材料工程师 > 实验员 |
      | 材料工程师 | 5     | 总经理 > 研究所所长 > 材料实验室主任 > 高级材料工程师 > 材料工程师         |
    And with at most 3 layers and 10 direct reports per department, these departments stand out:
      | department | layers | widest span | beyond |
      | 总经办     | 3      | 14          | span   |
      | 材料实验室 | 4      | 1           | layers |

  Scenario: Which positions are over headcount, and which have vacancies?
    When HR asks for positions whose incumbents differ from their headcount
    Then these positions are over headcount:
      | position   | headcount | incumbents |
      | 质量工程师 | 2         | 3          |
    And these positions have vacancies:
      | position     | headcount | incumbents |
      | 市场调研专员 | 2         | 1          |
      | 销售代表     | 24        | 22         |
      | CNC操作员    | 24        | 22         |
      | 注塑操作工   | 40        | 37         |
      | 装配工       | 70        | 66         |
