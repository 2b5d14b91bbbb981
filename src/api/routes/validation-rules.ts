import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import { VALIDATION_MODES } from '../../domain/stations/validation-policy.ts';
import type { ValidationMode } from '../../store/ports.ts';
import { requireRole } from '../auth.ts';
import { arrayOf, errorResponses, ref, VALIDATION_MODE_DESCRIPTION } from '../schemas.ts';

interface RuleParams {
  id: string;
}

interface RuleBody {
  vendor: string;
  model?: string | null;
  firmwarePrefix?: string | null;
  mode: ValidationMode;
  description?: string | null;
}

// The same id rule as the domain's, so a bad id is a schema 400 and documented.
const ruleParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'Rule id: 1-64 letters, digits, dots, dashes or underscores' } },
};

// Lengths: 2.x vendorName and firmwareVersion are string(50), model string(20); 1.6 is shorter still.
const ruleBody = {
  type: 'object',
  required: ['vendor', 'mode'],
  description: 'Replaces the rule; absent optional fields are cleared.',
  properties: {
    vendor: { type: 'string', minLength: 1, maxLength: 50, description: 'The BootNotification vendor (case-insensitive)' },
    model: { type: ['string', 'null'], maxLength: 50, description: 'The BootNotification model (case-insensitive); absent or null = every model' },
    firmwarePrefix: { type: ['string', 'null'], maxLength: 50, description: 'A prefix of the firmware version; absent or null = every version' },
    mode: { type: 'string', enum: [...VALIDATION_MODES], description: VALIDATION_MODE_DESCRIPTION },
    description: { type: ['string', 'null'], maxLength: 1000 },
  },
};

const ADMIN_ONLY = 'Needs the admin role.';

/** Vendor rules that choose how strictly the messages of stations without their own setting are validated. */
export function validationRuleRoutes(app: FastifyInstance, domain: Domain): void {
  const tags = ['validation-rules'];

  app.get('/validation-rules', {
    schema: {
      tags,
      summary: 'List validation rules',
      description: 'Every vendor rule, by id. A station\'s own validationMode wins over them; without either, the server default (JOULE_VALIDATION_MODE) applies.',
      response: { 200: arrayOf('ValidationRule', 'The rules'), ...errorResponses() },
    },
  }, () => domain.validation.listRules());

  app.put<{ Params: RuleParams; Body: RuleBody }>('/validation-rules/:id', {
    onRequest: requireRole('admin'),
    schema: {
      tags,
      summary: 'Create or replace a validation rule',
      description: `Stations of the vendor (and model and firmware prefix, when given) that have no validationMode of their own are validated in this mode from their next connection or boot; the most specific matching rule wins. ${ADMIN_ONLY}`,
      params: ruleParams,
      body: ruleBody,
      response: { 200: ref('ValidationRule', 'The rule as stored'), ...errorResponses(400, 403) },
    },
  }, (request) => {
    const { vendor, model, firmwarePrefix, mode, description } = request.body;
    return domain.validation.putRule({ id: request.params.id, vendor, model: model ?? null, firmwarePrefix: firmwarePrefix ?? null, mode, description: description ?? null });
  });

  app.delete<{ Params: RuleParams }>('/validation-rules/:id', {
    onRequest: requireRole('admin'),
    schema: {
      tags,
      summary: 'Delete a validation rule',
      description: ADMIN_ONLY,
      params: ruleParams,
      response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => {
    await domain.validation.deleteRule(request.params.id);
    return reply.code(204).send();
  });
}
