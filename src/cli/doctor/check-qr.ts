// QR codes in sync with the lanes file: the plan `qr sync` would run is empty (no code to create, no
// description to update). A lane without a code cannot be scanned; a stale description misleads the customer.
import { countActions, planQrSync } from '../qr-plan';
import { labelOf, listQrs } from '../qr-sync';
import { fail, ok, warn, type DoctorCheck } from './check';

export const qrCheck: DoctorCheck = {
  name: 'qr',
  async run(ctx) {
    const lanes = await ctx.lanes();
    const plan = planQrSync(lanes, await listQrs(await ctx.vipps(), lanes), false);
    const counts = countActions(plan);
    const todo = plan.filter((i) => i.action === 'create' || i.action === 'update');
    if (todo.length > 0)
      return fail(
        `${counts.create} lane(s) without a code, ${counts.update} with a stale description: run \`checkin-gateway qr sync\``,
        todo.map((i) =>
          i.action === 'create'
            ? `${labelOf(i)}: no code ${i.msn}/${i.merchantQrId}`
            : `${labelOf(i)}: Vipps says ${JSON.stringify(i.currentDescription)}, the file ${JSON.stringify(i.description)}`,
        ),
      );
    if (counts.extra > 0)
      return warn(
        `${counts.unchanged} lane(s) in sync; ${counts.extra} code(s) no lane uses (\`checkin-gateway qr sync --prune\` deletes them)`,
        plan
          .filter((i) => i.action === 'extra')
          .map((i) => `${labelOf(i)}: ${JSON.stringify(i.description)}`),
      );
    return ok(`${counts.unchanged} lane(s) have a code with the file's description`);
  },
};
