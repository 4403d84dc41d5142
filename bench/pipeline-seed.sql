-- A national training pipeline for bench/workforce.sh: 1,800 trainees in
-- training at the employers the staff extract registered (one department
-- each), on three programmes, in 18 specialisms, expected to complete from
-- 2027 to 2031. Plain SQL that SQLite and PostgreSQL both run. The rows
-- are what the pipeline reads, not a whole training record.
INSERT INTO users (email, name, created_at) VALUES ('bench-trainees@example.org', 'Bench Trainees', CURRENT_TIMESTAMP);
INSERT INTO departments (organisation_id, name, created_at)
  SELECT organisation_id, 'Healthcare science (bench)', CURRENT_TIMESTAMP FROM workforce_employers;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1799),
  d(id, organisation_id, k) AS (SELECT id, organisation_id, ROW_NUMBER() OVER (ORDER BY id) - 1 FROM departments WHERE name = 'Healthcare science (bench)'),
  s(name, k) AS (VALUES ('audiology', 0), ('clinical-biochemistry', 1), ('cardiac-science', 2), ('haematology-and-transfusion-science', 3),
    ('clinical-microbiology', 4), ('genomics', 5), ('radiotherapy-physics', 6), ('nuclear-medicine', 7), ('clinical-engineering', 8),
    ('neurophysiology', 9), ('respiratory-and-sleep-science', 10), ('vascular-science', 11), ('histopathology', 12),
    ('clinical-immunology', 13), ('clinical-scientific-computing', 14), ('clinical-informatics', 15), ('ophthalmic-and-vision-science', 16),
    ('gastrointestinal-physiology', 17))
INSERT INTO trainees (user_id, programme, specialism, curriculum, organisation_id, department_id, training_officer_id,
    start_date, expected_end, status, created_at)
  SELECT (SELECT id FROM users WHERE email = 'bench-trainees@example.org'),
    CASE n.i % 3 WHEN 0 THEN 'stp' WHEN 1 THEN 'ptp' ELSE 'hsst' END, s.name, 'bench', d.organisation_id, d.id,
    (SELECT id FROM users WHERE email = 'bench-trainees@example.org'),
    '2026-09-01', '20' || CAST(27 + (n.i * 7) % 5 AS TEXT) || '-09-30', 'active', CURRENT_TIMESTAMP
  FROM n JOIN d ON d.k = (n.i * 37) % (SELECT COUNT(*) FROM d) JOIN s ON s.k = (n.i * 11) % 18;
