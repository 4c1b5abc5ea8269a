Feature: Who sees whose file, and who may change it
  Everyone who signs in sees the organisation: departments, positions, duties, competencies,
  certificates, KPIs, and counts such as headcount, vacancies and how many people work in a
  department. What is personal (a person's file, positions held, ratings, potential and flight
  risk, competencies and certificates held, contracts and wages, succession nominations, fit
  and succession answers about people) is shown by role:

  - admin: everyone, everything; changes everything.
  - hr: everyone, or only the people of the departments in their sign-in (and the departments
    below them); everything about them, wages included; changes their records.
  - manager: themselves and everyone in their reporting line (whose position reports, directly
    or not, to a position the manager holds); ratings, potential, flight risk, competencies and
    certificates of those people, not their contracts; assesses their competencies and
    nominates them as successors, never for themselves.
  - employee: their own file, contract included; changes nothing.
  - compliance and auditor: everyone, everything, read only.

  Someone outside the reader's scope is not there at all: not in lists, not in counts of
  people, not in answers; opening their file answers as if there were no such file.

  Background:
    Given the demo organisation, where "E0176" manages "P041" 组装部经理 and "E0180" reports to them

  Scenario: A line manager sees their reporting line and no one else
    Given I sign in as "E0176" with the role "manager"
    When I list the employees
    Then I see myself and the current holders of every position below "P041"

  Scenario: A line manager reads their team's ratings but not their wages
    Given I sign in as "E0176" with the role "manager"
    When I open the file of "E0180"
    Then I see their potential, flight risk, ratings and competencies
    And I see no contract in it
    When I open the file of "E0176"
    Then I see the contract with its wage

  Scenario: HR limited to a department sees that department and the ones below it
    Given I sign in as "E0288" with the role "hr" for the departments "D06"
    When I list the employees
    Then I see myself and the current holders of positions in "D06" and below it
    When I open the file of "E0076"
    Then I see the contract with its wage
    When I open the file of "E0180"
    Then there is no such file

  Scenario: Without signing in there is nothing to see
    Given I have not signed in
    When I list the employees
    Then I am asked to sign in

  Scenario: The compliance report keeps to its reader's scope
    Given I sign in as "E0176" with the role "manager"
    When I run the compliance report
    Then it does not mention "CT0180"
    And it does not report "key-position-at-risk", which would tell the flight risk of "E0273"
    Given I sign in as "E0180" with the role "employee"
    When I run the compliance report
    Then it reports "CT0180"

  Scenario Outline: What each role sees of a team member's file
    Given I sign in as "<who>" with the role "<role>" for the departments "<departments>"
    When I open the file of "E0180"
    Then the file is <file>
    And the potential and flight risk are <potential>
    And the wage is <wage>
    And the department "D10" still counts all its people

    Examples:
      | role       | who        | departments | file   | potential | wage   |
      | admin      | ops        |             | shown  | shown     | shown  |
      | hr         | E0287      |             | shown  | shown     | shown  |
      | hr         | E0288      | D06         | absent | absent    | absent |
      | manager    | E0176      |             | shown  | shown     | absent |
      | employee   | E0180      |             | shown  | shown     | shown  |
      | employee   | E0181      |             | absent | absent    | absent |
      | compliance | reviewer   |             | shown  | shown     | shown  |
      | auditor    | audit-desk |             | shown  | shown     | shown  |

  Scenario Outline: Who may change what
    Given a copy of the demo organisation that may be changed
    And I sign in as "<who>" with the role "<role>" for the departments "<departments>"
    When I try to <change> of "<whose>"
    Then the change is <outcome>

    Examples:
      | role       | who        | departments | change               | whose | outcome   |
      | admin      | ops        |             | change the wage      | E0180 | made      |
      | hr         | E0288      | D06         | change the wage      | E0076 | made      |
      | hr         | E0288      | D06         | change the wage      | E0180 | not found |
      | manager    | E0176      |             | assess a competency  | E0181 | made      |
      | manager    | E0176      |             | nominate a successor | E0181 | made      |
      | manager    | E0176      |             | assess a competency  | E0176 | forbidden |
      | manager    | E0176      |             | nominate a successor | E0176 | forbidden |
      | manager    | E0176      |             | assess a competency  | E0001 | not found |
      | manager    | E0176      |             | change the wage      | E0181 | forbidden |
      | manager    | E0176      |             | change the potential | E0181 | forbidden |
      | employee   | E0180      |             | change the wage      | E0180 | forbidden |
      | employee   | E0180      |             | assess a competency  | E0180 | forbidden |
      | compliance | reviewer   |             | change the potential | E0180 | forbidden |
      | auditor    | audit-desk |             | change the wage      | E0180 | forbidden |
