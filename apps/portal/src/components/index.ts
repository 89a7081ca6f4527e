export { Alert } from './Alert';
export { Button, type ButtonProps } from './Button';
export { Checkbox } from './Checkbox';
export { EmptyState } from './EmptyState';
export { ErrorAlert, describeError } from './ErrorText';
export { Loading } from './Loading';
export { PageTitle } from './PageTitle';
export { TextField } from './TextField';
export { AuthLayout } from './AuthLayout';
