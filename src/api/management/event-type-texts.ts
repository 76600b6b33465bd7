/**
 * English names of event types, as ListUserChanges shows them
 * (`EventTypes.<type>`). A type without a name is shown by its key, as
 * ZITADEL shows untranslated keys.
 */
const names: Readonly<Record<string, string>> = {
  "user.added": "User added",
  "user.human.added": "Person added",
  "user.human.selfregistered": "Person registered themself",
  "user.machine.added": "Technical user added",
  "user.machine.changed": "Technical user changed",
  "user.locked": "User locked",
  "user.unlocked": "User unlocked",
  "user.deactivated": "User deactivated",
  "user.reactivated": "User reactivated",
  "user.removed": "User removed",
  "user.username.changed": "Username changed",
  "user.human.email.verified": "Email address verified",
  "user.human.phone.verified": "Phone number verified",
  "user.human.initialization.code.added": "Initialization code generated",
  "user.human.password.changed": "Password changed",
  "user.human.password.check.succeeded": "Password check succeeded",
  "user.human.password.check.failed": "Password check failed",
  "user.human.password.hash.updated": "Password hash updated",
  "user.machine.key.added": "Key added",
  "user.machine.key.removed": "Key removed",
  "user.machine.secret.set": "Secret set",
  "user.machine.secret.removed": "Secret removed",
  "user.pat.added": "Personal Access Token added",
  "user.pat.removed": "Personal Access Token removed",
  // Latchkey's own (lockout schedule).
  "user.address.blocked": "Sign-ins from an address blocked",
  "user.address.unblocked": "Sign-ins from an address unblocked",
};

export function eventTypeKey(type: string): string {
  return `EventTypes.${type}`;
}

export function eventTypeText(type: string): string {
  return names[type] ?? eventTypeKey(type);
}
