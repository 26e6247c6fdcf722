// The specification of a certificate (spec section 1): brand, validation type, domain type and grade.
// Two certificates have the same specification only when all four are equal (R-SAME-SPEC).

export const validationTypes = ['DV', 'OV', 'EV'] as const;
export type ValidationType = (typeof validationTypes)[number];

export const domainTypes = ['single', 'multi', 'wildcard', 'mixed'] as const;
export type DomainType = (typeof domainTypes)[number];

/** `free` is the yearly free DV quota (R-FREE-QUOTA); `test` is a personal test certificate (R-NOT-RENEWABLE). */
export const grades = ['free', 'test', 'standard', 'premium'] as const;
export type Grade = (typeof grades)[number];

export interface Product {
  brand: string;
  type: ValidationType;
  domainType: DomainType;
  grade: Grade;
}

export function sameSpecification(a: Product, b: Product): boolean {
  return a.brand === b.brand && a.type === b.type && a.domainType === b.domainType && a.grade === b.grade;
}

/** A stable string for a specification, used in ledger keys and messages. */
export function specificationKey(p: Product): string {
  return `${p.brand}/${p.type}/${p.domainType}/${p.grade}`;
}
