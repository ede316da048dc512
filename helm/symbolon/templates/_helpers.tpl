{{- define "symbolon.labels" -}}
app.kubernetes.io/part-of: symbolon
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
