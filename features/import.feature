Feature: Importing an organisation from CSV files
  HR exports its organisation from the HR system as CSV files in Rolegraph's interchange
  format and imports them. What the files say is then in the graph; a file with mistakes
  is refused as a whole, with every mistake named, so nothing is half-imported.

  Background:
    Given an empty graph
    And the file "departments.csv":
      | id | name     | parent_id | description |
      | D1 | 总经办   |           | 最高管理    |
      | D2 | 机加工部 | D1        |             |
    And the file "positions.csv":
      | id | title        | department_id | reports_to_id | grade | category    | headcount | is_key | description |
      | P1 | 总经理       | D1            |               | 12    | management  | 1         | true   |             |
      | P2 | 机加工部经理 | D2            | P1            | 8     | management  | 1         | false  |             |
      | P3 | CNC操作员    | D2            | P2            | 3     | operations  | 4         | false  |             |
    And the file "employees.csv":
      | id | name | hire_date  | education | major | years_experience | potential | flight_risk |
      | E1 | 王芳 | 2015-04-01 | 硕士      | 管理  | 15               | high      | low         |
      | E2 | 赵强 | 2022-02-15 | 大专      | 数控  | 2                | medium    | high        |
    And the file "employee_positions.csv":
      | employee_id | position_id | start_date | end_date |
      | E1          | P1          | 2015-04-01 |          |
      | E2          | P3          | 2022-02-15 |          |

  Scenario: A small organisation is imported
    When I import the directory
    Then the import succeeds
    And the graph holds 2 departments, 3 positions and 2 employees
    And "机加工部" is a sub-department of "总经办"
    And "CNC操作员" reports to "机加工部经理"
    And "赵强" currently holds the position "CNC操作员"

  Scenario: Importing the same files again changes nothing
    When I import the directory
    And I import the directory
    Then the import succeeds
    And the graph holds 2 departments, 3 positions and 2 employees
    And the graph holds 8 relationships

  Scenario: A file with mistakes is refused as a whole
    Given the file "kpis.csv":
      | id | name       | unit | direction        | target | period    |
      | K1 | 加工合格率 | %    | higher_is_better | 99.5   | monthly   |
      | K2 | 设备停机   | 小时 | less             | 10     | monthly   |
    And the file "position_kpis.csv":
      | position_id | kpi_id | weight |
      | P3          | K1     | 60     |
      | P3          | K3     | 40     |
    When I import the directory
    Then the import is refused with these problems:
      | file              | line | column    | reason                                                 |
      | kpis.csv          | 3    | direction | 'less' is not one of higher_is_better, lower_is_better |
      | position_kpis.csv | 3    | kpi_id    | KPI 'K3' exists neither in the files nor in the graph  |
    And the graph holds 0 departments, 0 positions and 0 employees
