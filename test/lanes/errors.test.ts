import { LanesFileError, lanesCheckCommand } from '../../src/lanes/errors';

const problems = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `lane "l${i + 1}" (#${i + 1}): msn: required`);

describe('LanesFileError at boot', () => {
  it('shows all 12 problems of a file with 12, one per line', () => {
    const e = new LanesFileError('LANES_FILE_INVALID', '/etc/gw/lanes.yaml', problems(12));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('lanes file /etc/gw/lanes.yaml is invalid (12 errors):');
    expect(lines.slice(1)).toEqual(problems(12).map((p) => `  - ${p}`));
  });

  it('shows the first 20 of 25 problems and the exact command that lists them all', () => {
    const e = new LanesFileError('LANES_FILE_INVALID', '/etc/gw/lanes.yaml', problems(25));
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(22);
    expect(lines.slice(1, 21)).toEqual(problems(20).map((p) => `  - ${p}`));
    expect(lines[21]).toBe(
      '  … and 5 more: run `checkin-gateway lanes check /etc/gw/lanes.yaml` to see them all',
    );
    expect(e.errors).toHaveLength(25);
  });

  it('quotes a path the shell would split in the suggested command', () => {
    expect(lanesCheckCommand("/srv/my lanes/bob's.yaml")).toBe(
      "checkin-gateway lanes check '/srv/my lanes/bob'\\''s.yaml'",
    );
    expect(lanesCheckCommand('./lanes.yaml')).toBe('checkin-gateway lanes check ./lanes.yaml');
  });
});
