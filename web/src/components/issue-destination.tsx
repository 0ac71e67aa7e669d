import { api, call } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { useApi } from '../lib/use-api';
import { SelectField, TextField } from './ui';

/** Where an issue goes: a department (科室, charged to its cost centre) and a patient reference. */
export interface IssueDestination {
  departmentId: string;
  patientRef: string;
}

export const NO_DESTINATION: IssueDestination = { departmentId: '', patientRef: '' };

/** The movement body's part for the destination (nothing when none is chosen). */
export const destinationBody = (d: IssueDestination) => ({
  ...(d.departmentId ? { departmentId: d.departmentId } : {}),
  ...(d.patientRef.trim() ? { patientRef: d.patientRef.trim() } : {}),
});

export function IssueDestinationFields(props: {
  value: IssueDestination;
  onValue: (d: IssueDestination) => void;
  fields: Record<string, string | undefined>;
}) {
  const { t } = useI18n();
  const departments = useApi(
    () => call(api.GET('/v1/departments', { params: { query: { active: true } } })),
    [],
  );
  return (
    <>
      <SelectField
        label={t('req.issueDepartment')}
        name="departmentId"
        value={props.value.departmentId}
        onValue={(departmentId) => props.onValue({ ...props.value, departmentId })}
        options={[
          { value: '', label: t('req.noDepartment') },
          ...(departments.data?.items ?? []).map((d) => ({
            value: d.id,
            label: d.costCentre ? `${d.name} (${d.costCentre})` : d.name,
          })),
        ]}
        error={props.fields.departmentId}
      />
      <TextField
        label={t('req.patientRef')}
        name="patientRef"
        value={props.value.patientRef}
        maxLength={64}
        onValue={(patientRef) => props.onValue({ ...props.value, patientRef })}
        error={props.fields.patientRef}
      />
    </>
  );
}
