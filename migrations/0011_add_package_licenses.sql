-- The license each package declares (SPDX expression or free text, as the
-- package gives it), so that license rules judge stored package lists
-- without fetching a layer. Packages stored before detectors read licenses
-- have none (NULL: unknown).
ALTER TABLE packages ADD COLUMN license text;
